// node scripts/bench/page-profile.mjs [--sequential] [--bare] [--playwright] [--out FILE]: a CPU
// profile of the bench page (CDP Profiler) while the server process makes 5,000 hub.fetch calls
// with 256 in flight (or 1,000 sequential ones), summarized by function; --bare profiles the bare
// long-poll loop instead, the floor to compare with. Chromium is driven as `npm run bench` drives
// it (bare-chromium.mjs, no Network domain) unless --playwright. For iterating on the page's
// per-request work; for readable names, bundle src/client/script.ts unminified (with the DEBUG
// label dropped) over dist/client/client.js. Needs `npm run build`.
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright';
import { chromiumArgs, chromiumPath } from '../chromium.mjs';
import { launchBare } from './bare-chromium.mjs';
import { summarize } from './cpu-profile.mjs';
import { pageWithSystem } from './page-system.mjs';
import { startServerProcess } from './server-handle.mjs';

const sequential = process.argv.includes('--sequential');
const system = process.argv.includes('--bare') ? 'bare' : 'ptth';
const outAt = process.argv.indexOf('--out');
const server = await startServerProcess();
const browser = process.argv.includes('--playwright')
  ? await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
  : await launchBare();
try {
  const page = await pageWithSystem(browser, server, system);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  const calls = sequential ? 1_000 : 5_000;
  if (sequential) await server.ask({ type: 'latency', system, warmup: 0, count: calls });
  else await server.ask({ type: 'throughput', system, total: calls, inFlight: 256 });
  const { profile } = await cdp.send('Profiler.stop');
  if (outAt > 0) writeFileSync(process.argv[outAt + 1], JSON.stringify(profile));
  const summary = summarize(profile, 45);
  const busy = summary.totalMs - (summary.byKind.find(([kind]) => kind === 'idle')?.[1] ?? 0);
  console.log(`busy ${busy.toFixed(0)} ms, ${((busy * 1_000) / calls).toFixed(0)} µs per call`);
  for (const [kind, ms] of summary.byKind) console.log(`${kind.padEnd(32)} ${ms.toFixed(0)}`);
  for (const [name, ms] of summary.top) console.log(`  ${ms.toFixed(1).padStart(8)} ${name}`);
} finally {
  await browser.close();
  await server.close();
}
