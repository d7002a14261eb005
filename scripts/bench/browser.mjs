// The phases that need the page: every system's round trips (ptth through hub.fetch and the
// gateway, Socket.IO over polling and over WebSocket, a bare WebSocket), the idle page, and the
// in-page DOM timings. One Chromium, one page, one server process; one system connected at a time.
// The calls are made inside the server process (server-process.mjs); this process drives Chromium.
import { chromium } from 'playwright';
import { chromiumArgs, chromiumPath } from '../chromium.mjs';
import { launchBare } from './bare-chromium.mjs';
import { BLOCK, gatewayLoad, interleavedLatency } from './gateway-load.mjs';
import { countTimers, idlePage } from './idle.mjs';
import { chromiumCpu, processCpu } from './process-cpu.mjs';
import { progress } from './progress.mjs';

/** µs per answer of the timed `counts.total`, from the ms a CPU meter read (null stays null). */
function perAnswer(ms, counts) {
  return ms === null ? null : (ms * 1_000) / counts.total;
}

/** Latency, throughput (with CPU per answer on both sides) and the p50 of the large GET of one system. */
async function measure(server, system, name, counts) {
  progress(`${name}: ${counts.sequential} sequential after ${counts.warmup} warm-up...`);
  const { p50, p99 } = await server.ask({ type: 'latency', system, warmup: counts.warmup, count: counts.sequential });
  progress(`${name}: ${counts.total} with ${counts.inFlight} in flight, after ${counts.totalWarmup} untimed...`);
  await server.ask({ type: 'throughput', system, total: counts.totalWarmup, inFlight: counts.inFlight });
  const browserCpu = chromiumCpu();
  const rendererCpu = chromiumCpu({ renderer: true });
  const { perSecond, serverCpuUs } = await server.ask({ type: 'throughput', system, ...counts });
  const browserCpuUs = perAnswer(browserCpu(), counts);
  const rendererCpuUs = perAnswer(rendererCpu(), counts);
  progress(`${name}: ${counts.largeGets} GETs of the 1,000-row table...`);
  const large = await server.ask({ type: 'latency', system, warmup: 3, count: counts.largeGets, large: true });
  return { p50, p99, perSecond, serverCpuUs, browserCpuUs, rendererCpuUs, largeGetP50: large.p50 };
}

async function ptthSystems(server, page, counts) {
  await page.evaluate(() => window.ptth.connect());
  await page.waitForFunction(() => window.ptth.connection?.state === 'open');
  const id = await page.evaluate(() => window.ptth.connection.id);
  const hub = await measure(server, 'ptth', 'ptth hub.fetch', counts);
  const load = gatewayLoad(server.url, id, { warmup: counts.warmup, inFlight: counts.inFlight });
  progress(
    `ptth gateway: ${counts.sequential} sequential from a keep-alive node:http client in another process, ` +
      `in turns with hub.fetch's (blocks of ${BLOCK})...`,
  );
  const {
    hub: alongside,
    gateway: figures,
    hop,
  } = await interleavedLatency(server, server.url, id, {
    warmup: counts.warmup,
    count: counts.sequential,
  });
  const sequential = { ...figures, hop, alongside };
  progress(`ptth gateway: ${counts.total} with ${counts.inFlight} in flight, after ${counts.totalWarmup} untimed...`);
  await load({ count: 0, warmup: 0, total: counts.totalWarmup });
  const serverCpu = processCpu(server.pid);
  const browserCpu = chromiumCpu();
  const rendererCpu = chromiumCpu({ renderer: true });
  const { perSecond } = await load({ count: 0, warmup: 0, total: counts.total });
  const gateway = {
    ...sequential,
    perSecond,
    serverCpuUs: perAnswer(serverCpu(), counts),
    browserCpuUs: perAnswer(browserCpu(), counts),
    rendererCpuUs: perAnswer(rendererCpu(), counts),
  };
  progress(`idle page: watching ${counts.idleMs} ms with ptth connected...`);
  const idle = await idlePage(page, counts.idleMs);
  await page.evaluate(() => window.ptth.connection.close());
  return { hub, gateway: { ...gateway, largeGetP50: null }, idle };
}

async function peer(server, page, system, name, open, counts) {
  await page.evaluate(open);
  const result = await measure(server, system, name, counts);
  await page.evaluate(() => window.bench.closePeers());
  return result;
}

/** Runs the page phases against the server process; resolves with the systems' figures, the idle page and the DOM timings. */
export async function browserPhases(server, counts) {
  // Nothing watches the page's network unless --playwright asks for Playwright (see bare-chromium.mjs).
  const browser = process.argv.includes('--playwright')
    ? await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
    : await launchBare();
  try {
    const page = await browser.newPage();
    await page.addInitScript(countTimers);
    await page.goto(server.url);
    progress(`idle page: watching ${counts.idleMs} ms with nothing connected (the control)...`);
    const control = await idlePage(page, counts.idleMs);
    const ptth = await ptthSystems(server, page, counts);
    const socketIoPolling = await peer(
      server,
      page,
      'socketIo',
      'Socket.IO polling',
      () => window.bench.socketIo('polling'),
      counts,
    );
    const socketIoWebSocket = await peer(
      server,
      page,
      'socketIo',
      'Socket.IO WebSocket',
      () => window.bench.socketIo('websocket'),
      counts,
    );
    const ws = await peer(server, page, 'ws', 'ws (bare WebSocket)', () => window.bench.webSocket(), counts);
    const bareLongPoll = await peer(server, page, 'bare', 'bare long-poll loop', () => window.bench.bare(), counts);
    progress(`DOM: ${counts.domRounds} rounds of each in-page operation...`);
    const dom = await page.evaluate((rounds) => window.bench.dom(rounds), counts.domRounds);
    return {
      chromium: browser.version(),
      systems: { ptth: ptth.hub, ptthGateway: ptth.gateway, socketIoPolling, socketIoWebSocket, ws, bareLongPoll },
      idle: { ...ptth.idle, control },
      dom,
    };
  } finally {
    await browser.close();
  }
}
