// The scale phase of the bench alone, for working on it: N idle long-poll clients on one server
// process, their memory, and one request to every client (see scale.mjs). Needs `npm run build`.
// Usage: node scripts/bench/scale-only.mjs [--n 10000] [--n 1000] [--rounds 5] [--bare] [--json]
// --bare: the reference server on bare node:http (scale-bare-server.mjs) instead of ptth's.
// PTTH_BENCH_CPU_PROF=DIR profiles the scale server, as in the full bench.
import { loadavg } from 'node:os';
import { FULL } from './counts.mjs';
import { scale } from './scale.mjs';

const args = process.argv.slice(2);
const values = (flag) => args.flatMap((arg, i) => (arg === flag ? [Number(args[i + 1])] : []));
const ns = values('--n').length > 0 ? values('--n') : FULL.scale;
const counts = { ...FULL, fanoutRounds: values('--rounds')[0] ?? FULL.fanoutRounds };
const kb = (bytes) => (bytes / 1024).toFixed(1);
const gcText = (gc) =>
  Object.entries(gc)
    .map(([kind, { count, ms }]) => `${kind} ${count} × = ${ms.toFixed(0)} ms`)
    .join(', ');

for (const n of ns) {
  const load = loadavg()[0].toFixed(2);
  const run = await scale(n, counts, args.includes('--bare') ? 'scale-bare-server.mjs' : 'scale-server.mjs');
  if (args.includes('--json')) console.log(JSON.stringify({ load, ...run }));
  else if (run.cut) console.log(`N=${n}: cut: ${run.cut}`);
  else {
    console.log(
      `N=${n} (load ${load}): heap ${kb(run.heapPerClient)} KB/client, RSS ${kb(run.rssPerClient)} KB/client, ` +
        `external ${kb(run.externalPerClient)} KB/client; fan-out median ${run.fanoutMedianMs.toFixed(0)} ms ` +
        `[${run.fanoutMs.map((ms) => ms.toFixed(0)).join(', ')}], server CPU ${run.fanoutServerCpuMs.toFixed(0)} ms/fan-out` +
        (run.fanoutClientsCpuMs === undefined ? '' : `, clients CPU ${run.fanoutClientsCpuMs.toFixed(0)} ms/fan-out`) +
        `, ${run.connectsPerSecond.toFixed(0)} connects/s` +
        (run.fanoutGc === undefined ? '' : `; GC pauses in all rounds: ${gcText(run.fanoutGc)}`),
    );
  }
}
