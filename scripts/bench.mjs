// npm run bench [-- --json]: measures ptth in one run, in Debian's Chromium, on this machine.
// The task: the server asks the page for one small DOM node by XPath and awaits the answer.
// Peers (Socket.IO polling and WebSocket, a raw WebSocket) are not measured yet: issue 7.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright';
import { REVERSE_ORIGIN, startDevServer } from '../dist/server/index.js';
import { chromiumArgs, chromiumPath } from './chromium.mjs';

const json = process.argv.includes('--json');
const SEQUENTIAL = 2_000;
const TOTAL = 10_000;
const IN_FLIGHT = 256;
const PATH = '/html/body/header/h1';
const progress = (text) => json || process.stderr.write(`${text}\n`);

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

async function latency(call) {
  for (let i = 0; i < 200; i++) await call();
  const times = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const start = performance.now();
    await call();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

async function throughput(call) {
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next++ < TOTAL) await call();
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return TOTAL / ((performance.now() - start) / 1_000);
}

// The gateway's rate limit per client (100/s by default) would refuse the throughput run: lift it.
const server = await startDevServer({ port: 0, hub: { requestsPerSecond: Number.POSITIVE_INFINITY } });
const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => window.ptth?.connection?.state === 'open');
  const id = await page.evaluate(() => window.ptth.connection.id);
  const expected = '<h1 id="title">Hello from ptth</h1>';
  const check = (text) => {
    if (text !== expected) throw new Error(`unexpected answer: ${text}`);
  };
  const viaHub = async () => check(await (await server.hub.fetch(id, new Request(REVERSE_ORIGIN + PATH))).text());
  const gatewayUrl = `${server.url}ptth/clients/${id}${PATH}`;
  const viaGateway = async () => check(await (await fetch(gatewayUrl)).text());

  progress(`hub.fetch: ${SEQUENTIAL} sequential...`);
  const hubLatency = await latency(viaHub);
  progress(`hub.fetch: ${TOTAL} with ${IN_FLIGHT} in flight...`);
  const hubThroughput = await throughput(viaHub);
  progress(`gateway: ${SEQUENTIAL} sequential...`);
  const gatewayLatency = await latency(viaGateway);
  progress(`gateway: ${TOTAL} with ${IN_FLIGHT} in flight...`);
  const gatewayThroughput = await throughput(viaGateway);

  const size = (file) => {
    const bytes = readFileSync(file);
    return { min: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  };
  const result = {
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, Chromium ${browser.version()}`,
    hub: { p50: hubLatency.p50, p99: hubLatency.p99, perSecond: hubThroughput },
    gateway: { p50: gatewayLatency.p50, p99: gatewayLatency.p99, perSecond: gatewayThroughput },
    bundle: { 'client.js': size('dist/client/client.js'), 'client.mjs': size('dist/client/client.mjs') },
  };
  if (json) console.log(JSON.stringify(result, null, 2));
  else {
    const ms = (value) => `${value.toFixed(2)} ms`;
    console.log(`\n${result.machine}`);
    console.log('| ptth (long-poll, JSON wire) | p50 | p99 | answers/s (256 in flight) |');
    console.log('|---|---|---|---|');
    for (const [name, r] of [
      ['hub.fetch', result.hub],
      ['HTTP gateway', result.gateway],
    ]) {
      console.log(`| ${name} | ${ms(r.p50)} | ${ms(r.p99)} | ${Math.round(r.perSecond)} |`);
    }
    const b = result.bundle['client.js'];
    console.log(`\nclient.js: ${b.min} B minified, ${b.gzip} B gzipped (transport, DOM handler, morphdom)`);
    console.log('Peers (Socket.IO polling/WebSocket, raw WebSocket): not measured yet (issue 7).');
  }
} finally {
  await browser.close();
  await server.close();
}
