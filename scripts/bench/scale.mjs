// The scale test: N idle long-poll clients (a load-generator process) on one server process.
// Memory per client is the slope between `base` clients and N, after GC, so one-off costs
// (compiled code, buffers) do not count; then one request to every client, all answers back.
import { ask, fileLimits, spawnNode } from './child.mjs';
import { progress } from './progress.mjs';
import { median } from './stats.mjs';

async function waitHeld(server, count, deadline) {
  for (;;) {
    const { held } = await ask(server, { type: 'held' });
    if (held >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${held} of ${count} clients hold a poll`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function run(n, counts, children, serverFile) {
  const deadline = Date.now() + counts.scaleBudgetMs;
  // PTTH_BENCH_CPU_PROF=DIR writes a CPU profile of the scale server (for "Where the time goes").
  const profile = process.env.PTTH_BENCH_CPU_PROF;
  const server = spawnNode(
    serverFile,
    [String(n)],
    [
      '--expose-gc',
      ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
      // PTTH_BENCH_SCALE_NODE_ARGS="--max-semi-space-size=64": more flags for the scale server, to study it.
      ...(process.env.PTTH_BENCH_SCALE_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
    ],
  );
  children.push(server);
  const { port } = await ask(server, { type: 'ready' });
  const clients = spawnNode('scale-clients.mjs', [String(port)]);
  children.push(clients);
  await ask(clients, { type: 'ready' });
  const base = Math.min(counts.scaleBase, Math.floor(n / 4));
  const connect = async (count) => {
    const reply = await ask(clients, { type: 'connect', count });
    if (reply.failures > 0) throw new Error(`${reply.failures} clients failed: ${reply.lastError}`);
  };
  await connect(base);
  await waitHeld(server, base, deadline);
  const before = await ask(server, { type: 'memory' });
  progress(`scale N=${n}: connecting ${n - base} more clients...`);
  const start = performance.now();
  await connect(n - base);
  await waitHeld(server, n, deadline);
  const connectMs = performance.now() - start;
  const after = await ask(server, { type: 'memory' });
  progress(`scale N=${n}: ${counts.fanoutRounds} × one request to every client...`);
  const clientsCpu = await ask(clients, { type: 'cpu' });
  const fan = await ask(server, { type: 'fanout', rounds: counts.fanoutRounds });
  const clientsCpuAfter = await ask(clients, { type: 'cpu' });
  if (fan.failures > 0) throw new Error(`${fan.failures} of the fan-out answers were wrong`);
  const per = (key) => (after[key] - before[key]) / (n - base);
  return {
    n,
    heapPerClient: per('heapUsed'),
    rssPerClient: per('rss'),
    externalPerClient: per('external'),
    connectsPerSecond: ((n - base) / connectMs) * 1_000,
    fanoutMs: fan.times,
    fanoutMedianMs: median(fan.times),
    fanoutServerCpuMs: fan.cpuMs,
    fanoutGc: fan.gc,
    fanoutClientsCpuMs: (clientsCpuAfter.ms - clientsCpu.ms) / counts.fanoutRounds,
  };
}

/**
 * Measures N idle clients; a run that cannot be done (fd limit, time budget) comes back with `cut`.
 * `serverFile` is the server's script: ptth's, or `scale-bare-server.mjs` (bare node:http).
 */
export async function scale(n, counts, serverFile = 'scale-server.mjs') {
  const { hard } = fileLimits();
  // Each process holds N sockets, plus Node's own descriptors.
  if (hard < n + 1_024) return { n, cut: `the open-files hard limit (ulimit -Hn = ${hard}) is below ${n + 1_024}` };
  const children = [];
  let timer;
  const budget = new Promise((resolve) => {
    timer = setTimeout(
      () => resolve({ n, cut: `not done within ${counts.scaleBudgetMs / 1_000} s on this machine` }),
      counts.scaleBudgetMs,
    );
  });
  try {
    return await Promise.race([run(n, counts, children, serverFile), budget]);
  } catch (error) {
    return { n, cut: error.message };
  } finally {
    clearTimeout(timer);
    for (const child of children) child.kill();
  }
}
