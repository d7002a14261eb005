/** Timing helpers of the transport: backoff, macrotasks, deadlines. */

/** The delay before retry number `attempt`: exponential from `min` to `max`, with jitter. */
export function backoffDelay(attempt: number, min: number, max: number): number {
  const ceiling = Math.min(max, min * 2 ** attempt);
  // "Equal jitter": at least half the delay, so clients restarted together spread out.
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Runs a callback as a macrotask; unlike timers, message events are not throttled in background tabs. */
export function macrotask(callback: () => void): void {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    channel.port1.close();
    callback();
  };
  channel.port2.postMessage(null);
}

/**
 * Runs `task` with a signal that aborts when `outer` does or after `ms`: a fetch to a server
 * that stopped answering (a dead connection, a sleeping laptop) must not hang forever.
 */
export async function withDeadline<T>(
  outer: AbortSignal,
  ms: number,
  task: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(outer.reason);
  outer.addEventListener('abort', onAbort);
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${ms} ms`)), ms);
  try {
    return await task(controller.signal);
  } finally {
    clearTimeout(timer);
    outer.removeEventListener('abort', onAbort);
  }
}
