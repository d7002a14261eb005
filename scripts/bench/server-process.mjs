// The bench server's own process (no Playwright in it): the server of server.mjs, and every
// loop that calls a system from the server side, run on the parent's request over IPC:
// `latency` (of the small node, or of the large table), `block` (sequential calls' times),
// `throughput` (with this process's CPU time per answer), `timeline` (timestamps inside the hub),
// `profileStart`/`profileStop`.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { REVERSE_ORIGIN } from '../../dist/server/index.js';
import { serveParent } from './child.mjs';
import { startBenchServer } from './server.mjs';
import { latency, throughput } from './stats.mjs';
import { EXPECTED, PATH, TABLE_PATH } from './task.mjs';

const server = await startBenchServer();

function check(text) {
  if (text !== EXPECTED) throw new Error(`unexpected answer: ${text.slice(0, 200)}`);
}

function checkTable(text) {
  if (!text.startsWith('<table id="big">') || text.length < 30_000)
    throw new Error(`not the table: ${text.slice(0, 80)}`);
}

/** The newest connected ptth client, waiting for one if there is none. */
function ptthClient() {
  const client = server.hub.clients().at(-1);
  if (client) return Promise.resolve(client.id);
  return new Promise((resolve) => server.hub.once('connect', (info) => resolve(info.id)));
}

/** The two calls of a system: ask for the small node, and for the 1,000-row table. */
async function calls(system) {
  if (system === 'ptth' || system === 'ptth-request') {
    const id = await ptthClient();
    // 'ptth': hub.fetch(id, path), as users write it; 'ptth-request': with a Request built for each call.
    const input = system === 'ptth' ? (path) => path : (path) => new Request(REVERSE_ORIGIN + path);
    const get = async (path) => {
      const response = await server.hub.fetch(id, input(path));
      if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}`);
      return response.text();
    };
    return { small: async () => check(await get(PATH)), large: async () => checkTable(await get(TABLE_PATH)) };
  }
  const peer = system === 'ws' ? server.webSocket : system === 'bare' ? server.bare : server.socketIo;
  await peer.open();
  return {
    small: async () => check(await peer.ask(PATH)),
    large: async () => checkTable(await peer.ask(TABLE_PATH)),
  };
}

/** Sequential round trips with the hub's delivery and receipt timed, wrapped from outside (no change to src/). */
async function timeline(count, warmup) {
  const id = await ptthClient();
  const { hub } = server;
  const now = () => performance.timeOrigin + performance.now();
  let current = null;
  // The moment the store hands this client's batch to its poll, and the moment the answer comes back.
  const take = hub.store.take.bind(hub.store);
  hub.store.take = async (clientId) => {
    const batch = await take(clientId);
    if (clientId === id && current && batch.length > 0) {
      current.id = batch[0].id;
      current.delivered = now();
    }
    return batch;
  };
  const receive = hub.receive.bind(hub);
  hub.receive = (target, responses) => {
    if (current && responses.some((response) => response.id === current.id)) current.received = now();
    return receive(target, responses);
  };
  const { small } = await calls('ptth');
  const trips = [];
  try {
    for (let i = 0; i < warmup + count; i++) {
      current = { start: now() };
      await small();
      current.end = now();
      if (i >= warmup) trips.push(current);
    }
  } finally {
    delete hub.store.take;
    hub.receive = receive;
  }
  return trips;
}

let profiler = null;

/** Polls attached and batches handed over, counted once `counters` is first asked (quick.mjs). */
let counters = null;
function countPolls() {
  if (counters) return counters;
  counters = { polls: 0, batches: 0, requests: 0, empty: 0 };
  const { hub } = server;
  const attach = hub.attachPoll.bind(hub);
  hub.attachPoll = (session, poll, delivery) => {
    counters.polls++;
    const deliver = poll.deliver;
    poll.deliver = (batch) => {
      if (batch.length === 0) counters.empty++;
      else {
        counters.batches++;
        counters.requests += batch.length;
      }
      return deliver(batch);
    };
    return attach(session, poll, delivery);
  };
  return counters;
}

serveParent(
  {
    latency: async ({ system, warmup, count, large }) => {
      const call = await calls(system);
      return latency(large ? call.large : call.small, { warmup, count });
    },
    throughput: async ({ system, total, inFlight }) => {
      const { small } = await calls(system);
      const cpu = process.cpuUsage();
      const perSecond = await throughput(small, { total, inFlight });
      const { user, system: kernel } = process.cpuUsage(cpu);
      return { perSecond, serverCpuUs: (user + kernel) / total };
    },
    // Sequential calls, each one's ms: gateway-load.mjs interleaves these with the gateway's.
    block: async ({ system, count }) => {
      const { small } = await calls(system);
      const times = [];
      for (let i = 0; i < count; i++) {
        const start = performance.now();
        await small();
        times.push(performance.now() - start);
      }
      return { times };
    },
    counters: async () => ({ ...countPolls() }),
    timeline: async ({ count, warmup }) => ({ trips: await timeline(count, warmup) }),
    profileStart: async () => {
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.setSamplingInterval', { interval: 100 });
      await profiler.post('Profiler.start');
      return {};
    },
    profileStop: async ({ file }) => {
      const { profile } = await profiler.post('Profiler.stop');
      profiler.disconnect();
      writeFileSync(file, JSON.stringify(profile));
      return {};
    },
    // A sampling heap profile (what the server allocates, by function) until heapStop.
    heapStart: async () => {
      profiler = new Session();
      profiler.connect();
      await profiler.post('HeapProfiler.enable');
      await profiler.post('HeapProfiler.startSampling', {
        samplingInterval: 1024,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
      return {};
    },
    heapStop: async () => {
      const { profile } = await profiler.post('HeapProfiler.stopSampling');
      profiler.disconnect();
      return { profile };
    },
    close: async () => {
      await server.close();
      return {};
    },
  },
  { url: server.url },
);
