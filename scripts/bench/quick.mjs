// node scripts/bench/quick.mjs [--rounds R] [--total N] [--no-peer] [--no-gateway] [--bare]
// [--no-stream | --ab]: a focused run
// for iterating on ptth's performance (not part of `npm run bench`, whose figures are the ones to
// report). R rounds of: ptth hub.fetch (sequential p50/p99, answers/s with 256 in flight, CPU per
// answer of the server and of Chromium, polls and batches), the gateway (the same from a
// keep-alive node:http client in another process) and Socket.IO polling as the reference, all in
// one Chromium and one server process. Compare figures within one run only. Needs `npm run build`.
import { chromium } from 'playwright';
import { chromiumArgs, chromiumPath } from '../chromium.mjs';
import { launchBare } from './bare-chromium.mjs';
import { FULL } from './counts.mjs';
import { gatewayLoad } from './gateway-load.mjs';
import { chromiumCpu, processCpu } from './process-cpu.mjs';
import { progress } from './progress.mjs';
import { startServerProcess } from './server-handle.mjs';
import { median } from './stats.mjs';

const flag = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const rounds = flag('--rounds', 3);
const total = flag('--total', 5_000);
const sequential = flag('--sequential', 1_000);
const inFlight = 256;
const peer = !process.argv.includes('--no-peer');
const withGateway = !process.argv.includes('--no-gateway');
const withBare = process.argv.includes('--bare');
// --ab: rounds alternate streamed and not (odd rounds not), for an A/B within one run.
const ab = process.argv.includes('--ab');
const streamedIn = (round) => !process.argv.includes('--no-stream') && !(ab && round % 2 === 1);

const server = await startServerProcess();
// --playwright: drive Chromium with Playwright (its Network domain watches every request).
const browser = process.argv.includes('--playwright')
  ? await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
  : await launchBare();
const rows = [];
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  for (let round = 0; round < rounds; round++) {
    // --no-stream: the page's shared poll is not streamed (LongPollOptions.stream), for an A/B.
    const streamed = streamedIn(round);
    await page.evaluate((options) => window.ptth.connect(options), streamed ? {} : { stream: false });
    await page.waitForFunction(() => window.ptth.connection?.state === 'open');
    const id = await page.evaluate(() => window.ptth.connection.id);
    progress(`round ${round + 1}: ptth hub.fetch`);
    await server.ask({ type: 'latency', system: 'ptth', warmup: 200, count: 0 });
    const q0 = chromiumCpu();
    const s0 = processCpu(server.pid);
    const lat = await server.ask({ type: 'latency', system: 'ptth', warmup: 0, count: sequential });
    const tripChromiumUs = (q0() * 1_000) / sequential;
    const tripServerUs = (s0() * 1_000) / sequential;
    const c0 = await server.ask({ type: 'counters' });
    const throughputCpu = chromiumCpu();
    const tp = await server.ask({ type: 'throughput', system: 'ptth', total, inFlight });
    const throughputMs = throughputCpu();
    const c1 = await server.ask({ type: 'counters' });
    rows.push({
      round,
      system: streamed ? 'ptth hub.fetch' : 'ptth hub.fetch (no stream)',
      tripChromiumUs,
      tripServerUs,
      p50: lat.p50,
      p99: lat.p99,
      perSecond: tp.perSecond,
      serverUs: tp.serverCpuUs,
      chromiumUs: (throughputMs * 1_000) / total,
      perPoll: (c1.requests - c0.requests) / Math.max(1, c1.batches - c0.batches),
      polls: c1.polls - c0.polls,
      empty: c1.empty - c0.empty,
    });
    if (withGateway) {
      progress(`round ${round + 1}: ptth gateway`);
      const load = gatewayLoad(server.url, id, { warmup: FULL.warmup, inFlight });
      const seq = await load({ count: sequential, total: 0 });
      const s0 = processCpu(server.pid);
      const g0 = chromiumCpu();
      const { perSecond } = await load({ count: 0, warmup: 0, total });
      rows.push({
        round,
        system: 'ptth gateway',
        p50: seq.p50,
        p99: seq.p99,
        hop: seq.hop?.p50,
        perSecond,
        serverUs: (s0() * 1_000) / total,
        chromiumUs: (g0() * 1_000) / total,
      });
    }
    await page.evaluate(() => window.ptth.connection.close());
    if (peer) {
      progress(`round ${round + 1}: Socket.IO polling`);
      await page.evaluate(() => window.bench.socketIo('polling'));
      await server.ask({ type: 'latency', system: 'socketIo', warmup: 200, count: 0 });
      const q1 = chromiumCpu();
      const s1 = processCpu(server.pid);
      const sl = await server.ask({ type: 'latency', system: 'socketIo', warmup: 0, count: sequential });
      const tripChromiumUs = (q1() * 1_000) / sequential;
      const tripServerUs = (s1() * 1_000) / sequential;
      const b2 = chromiumCpu();
      const st = await server.ask({ type: 'throughput', system: 'socketIo', total, inFlight });
      rows.push({
        round,
        system: 'Socket.IO polling',
        tripChromiumUs,
        tripServerUs,
        p50: sl.p50,
        p99: sl.p99,
        perSecond: st.perSecond,
        serverUs: st.serverCpuUs,
        chromiumUs: (b2() * 1_000) / total,
      });
      await page.evaluate(() => window.bench.closePeers());
    }
    if (withBare) {
      progress(`round ${round + 1}: bare long-poll loop`);
      await page.evaluate(() => window.bench.bare());
      await server.ask({ type: 'latency', system: 'bare', warmup: 200, count: 0 });
      const q2 = chromiumCpu();
      const s2 = processCpu(server.pid);
      const bl = await server.ask({ type: 'latency', system: 'bare', warmup: 0, count: sequential });
      const tripChromiumUs = (q2() * 1_000) / sequential;
      const tripServerUs = (s2() * 1_000) / sequential;
      const b3 = chromiumCpu();
      const bt = await server.ask({ type: 'throughput', system: 'bare', total, inFlight });
      rows.push({
        round,
        system: 'bare long-poll loop',
        tripChromiumUs,
        tripServerUs,
        p50: bl.p50,
        p99: bl.p99,
        perSecond: bt.perSecond,
        serverUs: bt.serverCpuUs,
        chromiumUs: (b3() * 1_000) / total,
      });
      await page.evaluate(() => window.bench.closePeers());
    }
  }
} finally {
  await browser.close();
  await server.close();
}
const fmt = (value, digits = 2) => (value === undefined ? '' : value.toFixed(digits));
console.log(
  '| system | round | p50 ms | p99 ms | hop p50 | answers/s | server µs/answer | Chromium µs/answer | per batch | polls | empty |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.system} | ${r.round + 1} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.tripChromiumUs, 0)} | ${fmt(r.tripServerUs, 0)} | ${fmt(r.hop)} | ${fmt(r.perSecond, 0)} | ${fmt(r.serverUs, 0)} | ${fmt(r.chromiumUs, 0)} | ${fmt(r.perPoll, 1)} | ${r.polls ?? ''} | ${r.empty ?? ''} |`,
  );
}
const systems = [...new Set(rows.map((r) => r.system))];
console.log('\nmedians:');
for (const system of systems) {
  const of = (key) => median(rows.filter((r) => r.system === system && r[key] !== undefined).map((r) => r[key]));
  console.log(
    `${system}: p50 ${fmt(of('p50'))} ms, p99 ${fmt(of('p99'))} ms, Chromium ${fmt(of('tripChromiumUs'), 0)} µs/trip, ${fmt(of('perSecond'), 0)}/s, server ${fmt(of('serverUs'), 0)} µs, Chromium ${fmt(of('chromiumUs'), 0)} µs per answer`,
  );
}
