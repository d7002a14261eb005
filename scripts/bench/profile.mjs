// node scripts/bench/profile.mjs [--out DIR]: where ptth's hub.fetch round trip spends its time.
// Not part of `npm run bench` (its findings are in BENCHMARKS.md, "Where the time goes"):
// 1. a timeline of sequential round trips, from timestamps taken in the hub (wrapped from
//    outside, in the server process) and in the page (its fetch wrapped), on one clock
//    (timeOrigin + now(), the same machine);
// 2. CPU profiles of the server process (the inspector's Profiler, what --cpu-prof records) and
//    of the page (CDP Profiler) during sequential calls, 256 in flight, and the gateway;
// 3. the sequential p50 in a Chromium started without Playwright, for ptth and Socket.IO polling;
// 4. in such a Chromium, a page profile over a bare CDP connection, with the Network domain off
//    and then on (Playwright always turns it on), to see what watching the network costs a fetch.
// Needs `npm run build` first. Raw .cpuprofile files go to DIR (default a temporary folder).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright';
import { WebSocket } from 'ws';
import { chromiumArgs, chromiumPath } from '../chromium.mjs';
import { runJson } from './child.mjs';
import { summarize } from './cpu-profile.mjs';
import { chromiumCpu, chromiumRunning, processCpu } from './process-cpu.mjs';
import { progress } from './progress.mjs';
import { startServerProcess } from './server-handle.mjs';
import { median } from './stats.mjs';
import { EXPECTED, PATH } from './task.mjs';

const outIndex = process.argv.indexOf('--out');
const out = resolve(outIndex > 0 ? process.argv[outIndex + 1] : mkdtempSync(join(tmpdir(), 'ptth-profile-')));
const SEQUENTIAL = 1_000;

/** Runs in the page: notes when a poll's answer arrives and when an answer leaves, by request id. */
function markPolls() {
  const marks = new Map();
  const at = () => performance.timeOrigin + performance.now();
  const fetch = window.fetch;
  window.fetch = async (input, init) => {
    if (!String(input).includes('/ptth/poll/') || init?.method !== 'POST') return fetch(input, init);
    const sent = at();
    for (const response of JSON.parse(init.body).responses) {
      const mark = marks.get(response.id);
      if (mark) mark.sent = sent;
    }
    const response = await fetch(input, init);
    const arrived = at();
    response
      .clone()
      .json()
      .then(({ requests }) => {
        for (const request of requests) marks.set(request.id, { arrived });
      });
    return response;
  };
  window.benchMarks = () => Object.fromEntries(marks);
}

/** Starts counting CPU time; the returned function gives µs per call of the server and of Chromium. */
function cpuMeter(server) {
  const serverCpu = processCpu(server.pid);
  const browserCpu = chromiumCpu();
  return (calls) => ({
    serverUs: (serverCpu() * 1_000) / calls,
    chromiumUs: (browserCpu() * 1_000) / calls,
  });
}

/** Profiles the server process (and the page, when given) while `run` runs; summaries of both. */
async function profiled(server, page, name, run) {
  const cdp = page ? await page.context().newCDPSession(page) : null;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await cdp.send('Profiler.start');
  }
  await server.ask({ type: 'profileStart' });
  const result = await run();
  const file = join(out, `${name}.server.cpuprofile`);
  await server.ask({ type: 'profileStop', file });
  const summary = { result, server: summarize(JSON.parse(readFileSync(file, 'utf8'))) };
  if (cdp) {
    const { profile } = await cdp.send('Profiler.stop');
    await cdp.detach();
    writeFileSync(join(out, `${name}.page.cpuprofile`), JSON.stringify(profile));
    summary.page = summarize(profile);
  }
  return summary;
}

function timelineOf(trips, marks) {
  const steps = {
    'hub.fetch → batch handed to the held poll (Node)': [],
    'handed over → the page has the poll answer (Node write, loopback, Chromium network)': [],
    'page: answer parsed, request served, next poll sent (renderer)': [],
    'next poll sent → hub.receive (Chromium network, loopback, Node HTTP, endpoint)': [],
    'hub.receive → caller has the text (Node)': [],
    'total round trip': [],
  };
  const [a, b, c, d, e, total] = Object.values(steps);
  for (const trip of trips) {
    const mark = marks[trip.id];
    if (!mark?.sent || !trip.received) continue;
    a.push(trip.delivered - trip.start);
    b.push(mark.arrived - trip.delivered);
    c.push(mark.sent - mark.arrived);
    d.push(trip.received - mark.sent);
    e.push(trip.end - trip.received);
    total.push(trip.end - trip.start);
  }
  return { trips: total.length, medianMs: Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, median(v)])) };
}

async function withPlaywright(server) {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  try {
    const page = await browser.newPage();
    await page.addInitScript(markPolls);
    await page.goto(server.url);
    await page.evaluate(() => window.ptth.connect());
    await page.waitForFunction(() => window.ptth.connection?.state === 'open');
    const id = await page.evaluate(() => window.ptth.connection.id);

    progress(`timeline: ${SEQUENTIAL} sequential round trips...`);
    const cpu = cpuMeter(server);
    const { trips } = await server.ask({ type: 'timeline', count: SEQUENTIAL, warmup: 200 });
    const timeline = { ...timelineOf(trips, await page.evaluate(() => window.benchMarks())), cpuPerTrip: cpu(1_200) };

    progress('CPU profiles: sequential...');
    const sequential = await profiled(server, page, 'sequential', () =>
      server.ask({ type: 'latency', system: 'ptth', warmup: 0, count: SEQUENTIAL }),
    );
    progress('CPU profiles: 5,000 with 256 in flight...');
    const inFlight = await profiled(server, page, 'in-flight', () =>
      server.ask({ type: 'throughput', system: 'ptth', total: 5_000, inFlight: 256 }),
    );
    progress('CPU profiles: the gateway from another process, sequential and 5,000 with 256 in flight...');
    const gateway = await profiled(server, null, 'gateway', () =>
      runJson('http-load.mjs', [
        JSON.stringify({
          url: `${server.url}ptth/clients/${id}${PATH}`,
          expected: EXPECTED,
          warmup: 0,
          count: SEQUENTIAL,
          total: 5_000,
          inFlight: 256,
        }),
      ]),
    );
    await page.evaluate(() => window.ptth.connection.close());
    return { timeline, sequential, inFlight, gateway };
  } finally {
    await browser.close();
  }
}

/** Stops a Chromium started by hand and removes its profile once none of its processes is left. */
async function stop(browser, profileDir) {
  const exited = new Promise((done) => browser.once('exit', done));
  browser.kill();
  await exited;
  for (let i = 0; i < 50 && chromiumRunning(); i++) await new Promise((done) => setTimeout(done, 100));
  leftovers.push(profileDir);
}

/** Chromium's helpers may still write to a profile for a moment after it exits: remove them at the end. */
const leftovers = [];
async function removeLeftovers() {
  await new Promise((done) => setTimeout(done, 1_000));
  for (const dir of leftovers) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    } catch (error) {
      progress(`could not remove ${dir}: ${error.message}`);
    }
  }
}

/** Sequential p50 with a Chromium started by hand: no DevTools connection watching the network. */
async function withoutPlaywright(server) {
  const result = {};
  for (const [system, hash] of [
    ['ptth', '#ptth'],
    ['socketIo', '#polling'],
  ]) {
    const profileDir = mkdtempSync(join(tmpdir(), 'ptth-bench-chromium-'));
    const browser = spawn(
      chromiumPath,
      [...chromiumArgs, '--headless=new', `--user-data-dir=${profileDir}`, server.url + hash],
      { stdio: 'ignore' },
    );
    try {
      progress(`without Playwright: ${system}, ${SEQUENTIAL} sequential...`);
      await server.ask({ type: 'latency', system, warmup: 200, count: 0 });
      const cpu = cpuMeter(server);
      const { type, ...figures } = await server.ask({ type: 'latency', system, warmup: 0, count: SEQUENTIAL });
      result[system] = { ...figures, cpuPerTrip: cpu(SEQUENTIAL) };
    } finally {
      await stop(browser, profileDir);
    }
  }
  return result;
}

/** A bare CDP client over the page target's WebSocket: `send(method, params)` resolves with the result. */
async function cdpOfPage(profileDir) {
  let port = null;
  for (let i = 0; i < 100 && port === null; i++) {
    try {
      port = readFileSync(join(profileDir, 'DevToolsActivePort'), 'utf8').split('\n')[0];
    } catch {
      await new Promise((done) => setTimeout(done, 100));
    }
  }
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const target = targets.find((t) => t.type === 'page');
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((done) => socket.once('open', done));
  let next = 0;
  const waiting = new Map();
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    waiting.get(message.id)?.(message.result);
    waiting.delete(message.id);
  });
  return {
    send: (method, params = {}) =>
      new Promise((done) => {
        const id = ++next;
        waiting.set(id, done);
        socket.send(JSON.stringify({ id, method, params }));
      }),
    close: () => socket.close(),
  };
}

/** Page profiles of sequential round trips over bare CDP: Network domain off, then on. */
async function networkDomainCost(server) {
  const profileDir = mkdtempSync(join(tmpdir(), 'ptth-bench-chromium-'));
  const browser = spawn(
    chromiumPath,
    [
      ...chromiumArgs,
      '--headless=new',
      '--remote-debugging-port=0',
      `--user-data-dir=${profileDir}`,
      `${server.url}#ptth`,
    ],
    { stdio: 'ignore' },
  );
  const result = {};
  try {
    await server.ask({ type: 'latency', system: 'ptth', warmup: 200, count: 0 });
    const cdp = await cdpOfPage(profileDir);
    for (const network of [false, true]) {
      if (network) await cdp.send('Network.enable');
      progress(`bare CDP, Network domain ${network ? 'on' : 'off'}: ${SEQUENTIAL} sequential with a page profile...`);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      await cdp.send('Profiler.start');
      const cpu = cpuMeter(server);
      const { type, ...figures } = await server.ask({ type: 'latency', system: 'ptth', warmup: 0, count: SEQUENTIAL });
      const perTrip = cpu(SEQUENTIAL);
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(join(out, `bare-cdp-network-${network ? 'on' : 'off'}.page.cpuprofile`), JSON.stringify(profile));
      result[network ? 'networkOn' : 'networkOff'] = { ...figures, cpuPerTrip: perTrip, page: summarize(profile) };
    }
    cdp.close();
  } finally {
    await stop(browser, profileDir);
  }
  return result;
}

mkdirSync(out, { recursive: true });
const server = await startServerProcess();
try {
  const playwright = await withPlaywright(server);
  const bare = await withoutPlaywright(server);
  const networkDomain = await networkDomainCost(server);
  console.log(JSON.stringify({ profiles: out, playwright, withoutPlaywright: bare, networkDomain }, null, 2));
} finally {
  await server.close();
  await removeLeftovers();
}
