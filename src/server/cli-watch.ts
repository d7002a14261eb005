/**
 * `ptth watch CLIENT XPATH`: prints what an expression selects, then again at each change. The
 * loop is the page's watching GET: `If-None-Match: <etag>` with `Prefer: wait=N` is answered
 * `200` with the new representation (and its new ETag) when it changes, or `304` after N seconds.
 * A page reloading or busy answers `503`/`504`; the watch then waits a little and goes on.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type CliOptions, EXIT, headerOptions, integerOption } from './cli-args.ts';
import { type CliIo, gatewayOf, messageHead } from './cli-commands.ts';
import { exitCodeOf, failureLine } from './cli-gateway.ts';

/** The longest wait a page honours (its `maxWaitSeconds`). */
const MAX_WAIT = 25;
/** Statuses after which the watch retries: the page reloading, gone for a moment, or slow. */
const RETRY = new Set([503, 504]);

/** Waits `ms`, or less when `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal }).catch(() => {});
}

/** How long to wait before retrying after `response`: its `Retry-After`, between 1 and 5 seconds. */
function retryDelay(response: Response): number {
  const seconds = Number(response.headers.get('retry-after') ?? 1);
  return Math.min(5, Math.max(1, Number.isFinite(seconds) ? seconds : 1)) * 1_000;
}

/** Runs the watch until `--count` changes were printed, the signal aborts, or an error status. */
export async function watchCommand(args: readonly string[], options: CliOptions, io: CliIo): Promise<number> {
  const [client, xpath] = args as [string, string];
  const wait = integerOption(options.wait, 'wait', 20, 1, MAX_WAIT);
  const count = integerOption(options.count, 'count', Number.POSITIVE_INFINITY, 1, Number.MAX_SAFE_INTEGER);
  const extra = headerOptions(options.header);
  const gateway = gatewayOf(options, io);
  const id = await gateway.resolve(client);
  let etag: string | null = null;
  let changes = -1;
  let retries = 0;
  while (!io.signal?.aborted && changes < count) {
    const headers = new Headers(extra);
    if (etag !== null) {
      headers.set('if-none-match', etag);
      headers.set('prefer', `wait=${wait}`);
    }
    let response: Response;
    try {
      response = await gateway.request(id, xpath, { headers });
    } catch (error) {
      if (io.signal?.aborted) break;
      throw error;
    }
    if (response.status === 304) {
      await response.body?.cancel();
      continue;
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (RETRY.has(response.status) && retries < 10) {
      // Several in a row mean the page is not coming back: give up then, with its answer.
      retries++;
      await pause(retryDelay(response), io.signal);
      continue;
    }
    retries = 0;
    const code = exitCodeOf(response.status);
    if (code !== EXIT.ok) {
      if (options.include) io.stdout.write(messageHead(response));
      const text = new TextDecoder().decode(bytes);
      io.stderr.write(`ptth: watching ${xpath}: ${failureLine(response, text)}\n`);
      return code;
    }
    const next = response.headers.get('etag') || null;
    if (etag !== null && next === etag) {
      // A handler that ignores If-None-Match would have the watch spin on the same answer.
      io.stderr.write(
        `ptth: ${xpath} answered 200 with the same ETag: this page's handler does not support watching\n`,
      );
      return EXIT.failed;
    }
    etag = next;
    if (options.include) io.stdout.write(messageHead(response));
    // One version per line (or block): each ends with a newline, even in a pipe.
    io.stdout.write(bytes);
    if (bytes.length === 0 || bytes[bytes.length - 1] !== 0x0a) io.stdout.write('\n');
    changes++;
    if (etag === null) {
      io.stderr.write(`ptth: ${xpath} has no ETag, so it cannot be watched (is it a page's own route?)\n`);
      return EXIT.failed;
    }
  }
  return EXIT.ok;
}
