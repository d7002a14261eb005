// The phases that need the page: every system's round trips (ptth through hub.fetch and the
// gateway, Socket.IO over polling and over WebSocket, a bare WebSocket), the idle page, and the
// in-page DOM timings. One Chromium, one page, one server; one system connected at a time.
import { chromium } from 'playwright';
import { REVERSE_ORIGIN } from '../../dist/server/index.js';
import { chromiumArgs, chromiumPath } from '../chromium.mjs';
import { runJson } from './child.mjs';
import { countTimers, idlePage } from './idle.mjs';
import { measureSystem } from './stats.mjs';
import { EXPECTED, PATH, TABLE_PATH } from './task.mjs';

function check(text) {
  if (text !== EXPECTED) throw new Error(`unexpected answer: ${text.slice(0, 200)}`);
}

function checkTable(text) {
  if (!text.startsWith('<table id="big">') || text.length < 30_000)
    throw new Error(`not the table: ${text.slice(0, 80)}`);
}

async function ptthSystems(server, page, counts, progress) {
  await page.evaluate(() => window.ptth.connect());
  await page.waitForFunction(() => window.ptth.connection?.state === 'open');
  const id = await page.evaluate(() => window.ptth.connection.id);
  const get = async (path) => {
    const response = await server.hub.fetch(id, new Request(REVERSE_ORIGIN + path));
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}`);
    return response.text();
  };
  const hub = await measureSystem(
    'ptth hub.fetch',
    { small: async () => check(await get(PATH)), large: async () => checkTable(await get(TABLE_PATH)) },
    counts,
    progress,
  );
  progress(`ptth gateway: a keep-alive node:http client in another process...`);
  const gateway = await runJson('http-load.mjs', [
    JSON.stringify({
      url: `${server.url}ptth/clients/${id}${PATH}`,
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

async function peer(name, page, side, open, counts, progress) {
  const connected = side.connected();
  await page.evaluate(open);
  await connected;
  const result = await measureSystem(
    name,
    { small: async () => check(await side.ask(PATH)), large: async () => checkTable(await side.ask(TABLE_PATH)) },
    counts,
    progress,
  );
  await page.evaluate(() => window.bench.closePeers());
  return result;
}

/** Runs the page phases against `server`; resolves with the systems' figures, the idle page and the DOM timings. */
export async function browserPhases(server, counts, progress) {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  try {
    const page = await browser.newPage();
    await page.addInitScript(countTimers);
    await page.goto(server.url);
    const ptth = await ptthSystems(server, page, counts, progress);
    const socketIoPolling = await peer(
      'Socket.IO polling',
      page,
      server.socketIo,
      () => window.bench.socketIo('polling'),
      counts,
      progress,
    );
    const socketIoWebSocket = await peer(
      'Socket.IO WebSocket',
      page,
      server.socketIo,
      () => window.bench.socketIo('websocket'),
      counts,
      progress,
    );
    const ws = await peer(
      'ws (bare WebSocket)',
      page,
      server.webSocket,
      () => window.bench.webSocket(),
      counts,
      progress,
    );
    progress(`DOM: ${counts.domRounds} rounds of each in-page operation...`);
    const dom = await page.evaluate((rounds) => window.bench.dom(rounds), counts.domRounds);
    return {
      chromium: browser.version(),
      systems: { ptth: ptth.hub, ptthGateway: ptth.gateway, socketIoPolling, socketIoWebSocket, ws },
      idle: ptth.idle,
      dom,
    };
  } finally {
    await browser.close();
  }
}
