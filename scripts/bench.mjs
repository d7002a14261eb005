// npm run bench [-- --json] [-- --smoke]: ptth and its peers in one run, on this machine, in
// Debian's Chromium. The task, for every system: the server asks the page for one small DOM node
// and awaits the answer. Peers: Socket.IO (polling and WebSocket, emitWithAck) and a bare
// WebSocket (ws); and a bare long-poll loop, the floor of any long-poll system. Also: ptth's HTTP
// gateway, idle clients at scale, DOM timings, bundle sizes. Chromium runs with nothing watching
// its network (bench/bare-chromium.mjs); --playwright drives it with Playwright instead.
// Progress goes to stderr; --json prints one JSON document on stdout. --smoke: tiny counts.
import { cpus } from 'node:os';
import { browserPhases } from './bench/browser.mjs';
import { FULL, SMOKE } from './bench/counts.mjs';
import { progress } from './bench/progress.mjs';
import { ratios, report } from './bench/report.mjs';
import { scale } from './bench/scale.mjs';
import { startServerProcess } from './bench/server-handle.mjs';
import { bundleSizes } from './bench/size.mjs';
import { judgeTargets } from './bench/targets.mjs';

const json = process.argv.includes('--json');
const counts = process.argv.includes('--smoke') ? SMOKE : FULL;
const started = performance.now();

// The server runs in a process of its own, as a real one would, and not beside Playwright.
const server = await startServerProcess();
let page;
try {
  page = await browserPhases(server, counts);
} finally {
  await server.close();
}
// After Chromium has gone, so that it takes no CPU from the scale test's two processes.
const scaleRuns = [];
for (const n of counts.scale) scaleRuns.push(await scale(n, counts));
const size = await bundleSizes();

const machine = {
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? 'cpu',
  node: process.version,
  chromium: page.chromium,
  platform: `${process.platform} ${process.arch}`,
};
machine.summary = `${machine.cpus} × ${machine.cpu}, Node ${machine.node}, Chromium ${machine.chromium}`;
const result = {
  mode: counts.mode,
  date: new Date().toISOString(),
  command: `node scripts/bench.mjs${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
  machine,
  counts,
  systems: page.systems,
  ratios: ratios(page.systems),
  scale: scaleRuns,
  dom: page.dom,
  idle: page.idle,
  size,
};
result.targets = judgeTargets(result);
result.seconds = (performance.now() - started) / 1_000;
progress(`done in ${result.seconds.toFixed(0)} s`);
if (json) console.log(JSON.stringify(result, null, 2));
else console.log(`\n${report(result).join('\n')}`);
