// Calls through ptth's gateway from http-load.mjs (a keep-alive node:http client in another
// process): the bench's, quick.mjs's and server-cpu.mjs's one way to load the gateway.
import { runJson } from './child.mjs';
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
