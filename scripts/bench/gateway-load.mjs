// Calls through ptth's gateway from http-load.mjs (a keep-alive node:http client in another
// process): the bench's, quick.mjs's and server-cpu.mjs's one way to load the gateway.
import { ask, runJson, spawnNode } from './child.mjs';
import { percentile } from './stats.mjs';
import { EXPECTED, PATH } from './task.mjs';

/**
 * A function running one http-load.mjs child against client `id` of the server at `serverUrl`:
 * `part` gives `count` (sequential, p50/p99 and the hop alone) and/or `total` (answers/s), and
 * may override `warmup`.
 */
export function gatewayLoad(serverUrl, id, { warmup, inFlight }) {
  return (part) =>
    runJson('http-load.mjs', [
      JSON.stringify({
        url: `${serverUrl}ptth/clients/${id}${PATH}`,
        hopUrl: `${serverUrl}ptth/clients/${id}`,
        expected: EXPECTED,
        warmup,
        inFlight,
        ...part,
      }),
    ]);
}

/** Calls of each kind per block of `interleavedLatency`. */
export const BLOCK = 100;

/** p50 and p99 of some times in ms. */
function spread(times) {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/**
 * The gateway's sequential round trips next to hub.fetch's, measured in turns: blocks of
 * `BLOCK` hub.fetch calls (in the server process), gateway calls and calls of the HTTP hop alone
 * (`GET /ptth/clients/{id}`) from one keep-alive node:http client in a process of its own
 * (gateway-client.mjs), until each has `count`, after `warmup` untimed calls of each. What the
 * gateway adds is a difference of two p50s; measured in separate phases a minute apart, the
 * machine's drift moved it by more than the 0.3 ms the target allows (±0.3 ms between runs).
 */
export async function interleavedLatency(server, serverUrl, id, { warmup, count }) {
  const client = spawnNode('gateway-client.mjs');
  try {
    await ask(client, { type: 'ready' });
    const gateway = { url: `${serverUrl}ptth/clients/${id}${PATH}`, expected: EXPECTED };
    const hop = { url: `${serverUrl}ptth/clients/${id}`, expected: null };
    const hubBlock = async (n) => (await server.ask({ type: 'block', system: 'ptth', count: n })).times;
    const clientBlock = async (call, n) => (await ask(client, { type: 'block', ...call, count: n })).times;
    await hubBlock(warmup);
    await clientBlock(gateway, warmup);
    await clientBlock(hop, warmup);
    const times = { hub: [], gateway: [], hop: [] };
    while (times.hub.length < count) {
      const n = Math.min(BLOCK, count - times.hub.length);
      times.hub.push(...(await hubBlock(n)));
      times.gateway.push(...(await clientBlock(gateway, n)));
      times.hop.push(...(await clientBlock(hop, n)));
    }
    return { hub: spread(times.hub), gateway: spread(times.gateway), hop: spread(times.hop) };
  } finally {
    client.kill();
  }
}
