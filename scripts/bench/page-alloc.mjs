// node scripts/bench/page-alloc.mjs [--bare] [--total N]: how many bytes of JavaScript heap the
// page and the server allocate per answer while the server makes N hub.fetch calls with 256 in
// flight (sampling heap profiles: CDP's in Chromium, the inspector's in the server process), by
// function. Allocation drives garbage collection, which in the page also marks the whole DOM;
// unlike CPU time it barely depends on the machine's other load, so a change that allocates less
// shows here when a CPU figure is lost in noise. --bare measures the bare long-poll loop instead.
// For readable names, bundle src/client/script.ts unminified over dist/client/client.js (see
// page-profile.mjs). Needs `npm run build`.
import { allocationLines } from './allocations.mjs';
import { launchBare } from './bare-chromium.mjs';
import { pageWithSystem } from './page-system.mjs';
import { startServerProcess } from './server-handle.mjs';

const system = process.argv.includes('--bare') ? 'bare' : 'ptth';
const at = process.argv.indexOf('--total');
const calls = at > 0 ? Number(process.argv[at + 1]) : 10_000;
const server = await startServerProcess();
const browser = await launchBare();
try {
  const page = await pageWithSystem(browser, server, system);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.startSampling', {
    samplingInterval: 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  await server.ask({ type: 'heapStart' });
  await server.ask({ type: 'throughput', system, total: calls, inFlight: 256 });
  const { profile: serverProfile } = await server.ask({ type: 'heapStop' });
  const { profile: pageProfile } = await cdp.send('HeapProfiler.stopSampling');
  for (const line of allocationLines(`${system}, the page`, pageProfile, calls)) console.log(line);
  for (const line of allocationLines(`${system}, the server`, serverProfile, calls)) console.log(line);
} finally {
  await browser.close();
  await server.close();
}
