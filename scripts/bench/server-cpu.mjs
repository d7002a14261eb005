// node scripts/bench/server-cpu.mjs [--rounds R] [--total N]: the server's CPU per answer without
// Chromium, for iterating on the server (not part of `npm run bench`). The bench's server process
// (server-process.mjs) with a simulated page (sim-page.mjs) in another process: R rounds of
// hub.fetch with 256 in flight (CPU from the process itself; hubUs with a path, hubRequestUs with a
// Request built for each call) and of the gateway from a keep-alive
// node:http client (http-load.mjs; the server's CPU from /proc), plus sequential p50s. Compare
// figures within one run. Needs `npm run build`.
import { mkdirSync } from 'node:fs';
import { ask, spawnNode } from './child.mjs';
import { FULL } from './counts.mjs';
import { gatewayLoad } from './gateway-load.mjs';
import { processCpu } from './process-cpu.mjs';
import { progress } from './progress.mjs';
import { startServerProcess } from './server-handle.mjs';
import { median } from './stats.mjs';

const flag = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const rounds = flag('--rounds', 5);
const total = flag('--total', 20_000);
const sequential = flag('--sequential', 2_000);
const inFlight = 256;
// --profile DIR: CPU profiles of the server during the last round's two throughput runs.
const profileAt = process.argv.indexOf('--profile');
const profileDir = profileAt > 0 ? process.argv[profileAt + 1] : null;

if (profileDir !== null) mkdirSync(profileDir, { recursive: true });
const server = await startServerProcess();
const port = new URL(server.url).port;
const page = spawnNode('sim-page.mjs', [port]);
const rows = [];
try {
  const { id } = await ask(page, { type: 'ready' });
  for (let round = 0; round < rounds; round++) {
    progress(`round ${round + 1}`);
    const lat = await server.ask({ type: 'latency', system: 'ptth', warmup: 200, count: sequential });
    const withRequest = await server.ask({ type: 'throughput', system: 'ptth-request', total, inFlight });
    const c0 = await server.ask({ type: 'counters' });
    const profiling = profileDir !== null && round === rounds - 1;
    if (profiling) await server.ask({ type: 'profileStart' });
    const tp = await server.ask({ type: 'throughput', system: 'ptth', total, inFlight });
    if (profiling) await server.ask({ type: 'profileStop', file: `${profileDir}/hub.server.cpuprofile` });
    const c1 = await server.ask({ type: 'counters' });
    const load = gatewayLoad(server.url, id, { warmup: FULL.warmup, inFlight });
    const seq = await load({ count: sequential, total: 0 });
    const serverCpu = processCpu(server.pid);
    if (profiling) await server.ask({ type: 'profileStart' });
    const gw = await load({ count: 0, warmup: 0, total });
    if (profiling) await server.ask({ type: 'profileStop', file: `${profileDir}/gateway.server.cpuprofile` });
    const gatewayUs = (serverCpu() * 1_000) / total;
    const c2 = await server.ask({ type: 'counters' });
    rows.push({
      hubP50: lat.p50,
      hubPerSecond: tp.perSecond,
      hubUs: tp.serverCpuUs,
      hubRequestUs: withRequest.serverCpuUs,
      hubPerBatch: (c1.requests - c0.requests) / Math.max(1, c1.batches - c0.batches),
      gatewayP50: seq.p50,
      hopP50: seq.hop.p50,
      gatewayPerSecond: gw.perSecond,
      gatewayUs,
      gatewayPerBatch: (c2.requests - c1.requests) / Math.max(1, c2.batches - c1.batches),
    });
  }
} finally {
  page.kill();
  await server.close();
}
const keys = Object.keys(rows[0]);
console.log(`| round | ${keys.join(' | ')} |`);
console.log(`|---|${keys.map(() => '---').join('|')}|`);
for (const [i, row] of rows.entries()) {
  console.log(`| ${i + 1} | ${keys.map((k) => row[k].toFixed(2)).join(' | ')} |`);
}
console.log(`| median | ${keys.map((k) => median(rows.map((r) => r[k])).toFixed(2)).join(' | ')} |`);
