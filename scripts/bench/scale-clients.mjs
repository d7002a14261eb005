// The load generator of the scale test: N simulated pages in one process, each speaking the
// long-poll wire (JSON) over its own keep-alive connection: connect, then poll with Ptth-Secret,
// answering every request it gets on its next poll, as the browser client does.
// Usage: node scale-clients.mjs PORT; IPC {type: 'connect', count} adds clients, {type: 'cpu'} tells
// the CPU time this process has used, in ms.
import { randomUUID } from 'node:crypto';
import { RawHttpConnection } from './raw-http.mjs';
import { EXPECTED } from './task.mjs';

const port = Number(process.argv[2]);
const CONNECTS_AT_ONCE = 200;
const connections = [];
let failures = 0;
let lastError = '';

async function pollForever(connection, id, secret, instance) {
  const headers = { 'Ptth-Secret': secret, 'Ptth-Instance': instance, 'Content-Type': 'application/json' };
  let ack = 0;
  let responses = [];
  for (;;) {
    const reply = await connection.request('POST', `/ptth/poll/${id}`, headers, JSON.stringify({ responses, ack }));
    if (reply.status !== 200) throw new Error(`poll answered ${reply.status}: ${reply.body}`);
    const { requests } = JSON.parse(reply.body);
    responses = requests.map((request) => ({
      id: request.id,
      status: 200,
      headers: [['content-type', 'text/html; charset=utf-8']],
      body: EXPECTED,
    }));
    for (const request of requests) ack = Math.max(ack, request.seq ?? 0);
  }
}

async function startClient() {
  const connection = new RawHttpConnection(port);
  connections.push(connection);
  const instance = randomUUID();
  const body = JSON.stringify({ url: 'bench://scale', dom: true, instance });
  const reply = await connection.request('POST', '/ptth/connect', { 'Content-Type': 'application/json' }, body);
  if (reply.status !== 201) throw new Error(`connect answered ${reply.status}: ${reply.body}`);
  const { id, secret } = JSON.parse(reply.body);
  pollForever(connection, id, secret, instance).catch((error) => {
    failures++;
    lastError = error.message;
  });
}

async function connectMany(count) {
  let started = 0;
  const worker = async () => {
    while (started++ < count) await startClient();
  };
  await Promise.all(Array.from({ length: Math.min(CONNECTS_AT_ONCE, count) }, worker));
}

process.on('message', async (message) => {
  if (message.type === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send({ type: 'cpu', ms: (user + system) / 1_000 });
    return;
  }
  if (message.type !== 'connect') return;
  try {
    await connectMany(message.count);
    process.send({ type: 'connect', total: connections.length, failures, lastError });
  } catch (error) {
    process.send({ type: 'connect', total: connections.length, failures: failures + 1, lastError: error.message });
  }
});
process.on('disconnect', () => {
  for (const connection of connections) connection.close();
  process.exit(0);
});
process.send({ type: 'ready' });
