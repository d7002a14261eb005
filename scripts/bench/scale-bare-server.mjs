// The reference for the scale test: the same long-poll wire as ptth's (connect, then polls that
// carry the answers and are held until there is a request), on bare node:http with nothing else:
// no hub, no fetch Request/Response, no limits, no hold timeout. What it costs to hold N idle
// polls and to run a fan-out on it is node:http's share of ptth's figures. Same IPC as
// scale-server.mjs. Usage: node --expose-gc scale-bare-server.mjs N
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { memory } from './memory.mjs';
import { PATH } from './task.mjs';

const clients = new Map();
const calls = new Map();
let seq = 0;

function readBody(req, done) {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => done(Buffer.concat(chunks).toString()));
}

function reply(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const server = createServer((req, res) => {
  readBody(req, (text) => {
    if (req.url === '/ptth/connect') {
      const client = { id: randomBytes(16).toString('base64url'), secret: randomBytes(16).toString('base64url') };
      client.res = null;
      clients.set(client.id, client);
      return reply(res, 201, { id: client.id, secret: client.secret, holdMs: 25_000, ack: 0, resumed: false });
    }
    const client = clients.get(req.url.slice('/ptth/poll/'.length));
    if (!client || req.headers['ptth-secret'] !== client.secret) return reply(res, 404, {});
    for (const response of JSON.parse(text).responses) {
      const call = calls.get(response.id);
      calls.delete(response.id);
      call?.(response.status === 200 && response.body);
    }
    client.res = res;
    res.on('close', () => {
      if (client.res === res) client.res = null;
    });
  });
});
server.keepAliveTimeout = 65_000;

function ask(client) {
  const id = `r${++seq}`;
  const res = client.res;
  client.res = null;
  reply(res, 200, { requests: [{ id, seq, method: 'GET', path: PATH, headers: [] }] });
  return new Promise((resolve) => calls.set(id, resolve));
}

async function fanout(rounds) {
  const times = [];
  let failures = 0;
  const cpu = process.cpuUsage();
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    // A client whose poll has not come back yet gets the request on its next one.
    const held = [...clients.values()];
    while (held.some((client) => client.res === null)) await new Promise((resolve) => setImmediate(resolve));
    const answers = await Promise.all(held.map(ask));
    times.push(performance.now() - start);
    failures += answers.filter((body) => !body).length;
  }
  const { user, system } = process.cpuUsage(cpu);
  return { times, failures, clients: clients.size, cpuMs: (user + system) / 1_000 / rounds };
}

process.on('message', async (message) => {
  if (message.type === 'held') {
    let held = 0;
    for (const client of clients.values()) if (client.res) held++;
    process.send({ type: 'held', held });
  } else if (message.type === 'memory') process.send({ type: 'memory', ...(await memory()) });
  else if (message.type === 'fanout') process.send({ type: 'fanout', ...(await fanout(message.rounds)) });
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));

server.listen({ port: 0, host: '127.0.0.1', backlog: 4_096 }, () => {
  process.send({ type: 'ready', port: server.address().port });
});
