// The server of the scale test, in its own process (run with --expose-gc): the dev routes on a hub
// whose client limits are raised for N clients. Over IPC it answers how many clients hold a poll,
// its memory after GC, and how long one request to every client takes until all answers are back.
// Usage: node --expose-gc scale-server.mjs N
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { devApp, Hub, REVERSE_ORIGIN, toNodeListener } from '../../dist/server/index.js';
import { memory } from './memory.mjs';
import { EXPECTED, PATH } from './task.mjs';

const n = Number(process.argv[2]);
// One load generator on one address stands for N pages: raise the per-address limit with the total.
const hub = new Hub({
  maxClients: n + 1_000,
  maxClientsPerAddress: n + 1_000,
  requestsPerSecond: Number.POSITIVE_INFINITY,
  pollsPerSecond: Number.POSITIVE_INFINITY,
});
const server = createServer(toNodeListener(devApp(hub)));
server.keepAliveTimeout = 65_000;

function held() {
  let count = 0;
  for (const { id } of hub.clients()) if (hub.session(id)?.poll) count++;
  return count;
}

/** PTTH_BENCH_FANOUT_PROF=FILE: a CPU profile of the fan-outs alone (PTTH_BENCH_CPU_PROF covers the whole process). */
async function profiled(run) {
  const file = process.env.PTTH_BENCH_FANOUT_PROF;
  if (!file) return allocationsSampled(run);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

/**
 * PTTH_BENCH_FANOUT_HEAP_PROF=FILE: a sampling heap profile of the fan-outs (.heapprofile), counting
 * objects the garbage collector has freed since: where the allocations of a poll cycle come from.
 */
async function allocationsSampled(run) {
  const file = process.env.PTTH_BENCH_FANOUT_HEAP_PROF;
  if (!file) return run();
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 4_096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  try {
    return await run();
  } finally {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

async function fanout(rounds) {
  return profiled(() => withGcPauses(() => fanoutRounds(rounds)));
}

/** Pauses of the garbage collector while `run` runs: count and ms, by kind (minor: scavenges). */
async function withGcPauses(run) {
  const gc = { minor: { count: 0, ms: 0 }, major: { count: 0, ms: 0 }, other: { count: 0, ms: 0 } };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const { kind } = entry.detail;
      const into =
        kind === constants.NODE_PERFORMANCE_GC_MINOR
          ? gc.minor
          : kind === constants.NODE_PERFORMANCE_GC_MAJOR
            ? gc.major
            : gc.other;
      into.count++;
      into.ms += entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  try {
    const result = await run();
    await new Promise((resolve) => setImmediate(resolve));
    return { ...result, gc };
  } finally {
    observer.disconnect();
  }
}

async function fanoutRounds(rounds) {
  const ids = hub.clients().map((client) => client.id);
  const times = [];
  let failures = 0;
  const cpu = process.cpuUsage();
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    const answers = await Promise.all(
      ids.map(async (id) => {
        const response = await hub.fetch(id, new Request(REVERSE_ORIGIN + PATH));
        return response.status === 200 && (await response.text()) === EXPECTED;
      }),
    );
    times.push(performance.now() - start);
    failures += answers.filter((ok) => !ok).length;
  }
  const { user, system } = process.cpuUsage(cpu);
  return { times, failures, clients: ids.length, cpuMs: (user + system) / 1_000 / rounds };
}

process.on('message', async (message) => {
  if (message.type === 'held') process.send({ type: 'held', held: held() });
  else if (message.type === 'memory') process.send({ type: 'memory', ...(await memory()) });
  else if (message.type === 'fanout') process.send({ type: 'fanout', ...(await fanout(message.rounds)) });
});
process.on('disconnect', () => process.exit(0));
// Exit normally on SIGTERM, so that --cpu-prof writes its profile.
process.on('SIGTERM', () => process.exit(0));

server.listen({ port: 0, host: '127.0.0.1', backlog: 4_096 }, () => {
  process.send({ type: 'ready', port: server.address().port });
});
