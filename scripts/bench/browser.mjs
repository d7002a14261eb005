// The phases that need the page: every system's round trips (ptth through hub.fetch and the
// gateway, Socket.IO over polling and over WebSocket, a bare WebSocket), the idle page, and the
// in-page DOM timings. One Chromium, one page, one server process; one system connected at a time.
// The calls are made inside the server process (server-process.mjs); this process drives Chromium.
import { chromium } from 'playwright';
import { chromiumArgs, chromiumPath } from '../chromium.mjs';
import { runJson } from './child.mjs';
import { countTimers, idlePage } from './idle.mjs';
import { progress } from './progress.mjs';
import { EXPECTED, PATH } from './task.mjs';

async function measure(server, system, name, counts) {
  const { type, ...figures } = await server.ask({ type: 'measure', system, name, counts });
  return figures;
}

async function ptthSystems(server, page, counts) {
  await page.evaluate(() => window.ptth.connect());
  await page.waitForFunction(() => window.ptth.connection?.state === 'open');
  const id = await page.evaluate(() => window.ptth.connection.id);
  const hub = await measure(server, 'ptth', 'ptth hub.fetch', counts);
  progress('ptth gateway: a keep-alive node:http client in another process...');
  const gateway = await runJson('http-load.mjs', [
    JSON.stringify({
      url: `${server.url}ptth/clients/${id}${PATH}`,
      hopUrl: `${server.url}ptth/clients/${id}`,
      expected: EXPECTED,
      count: counts.sequential,
      ...counts,
    }),
  ]);
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
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
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
    progress(`DOM: ${counts.domRounds} rounds of each in-page operation...`);
    const dom = await page.evaluate((rounds) => window.bench.dom(rounds), counts.domRounds);
    return {
      chromium: browser.version(),
      systems: { ptth: ptth.hub, ptthGateway: ptth.gateway, socketIoPolling, socketIoWebSocket, ws },
      idle: { ...ptth.idle, control },
      dom,
    };
  } finally {
    await browser.close();
  }
}
