/** Timing helpers of the transport: backoff, macrotasks, deadlines. */

/** The delay before retry number `attempt`: exponential from `min` to `max`, with jitter. */
export function backoffDelay(attempt: number, min: number, max: number): number {
  const ceiling = Math.min(max, min * 2 ** attempt);
  // "Equal jitter": at least half the delay, so clients restarted together spread out.
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * Reports an error from a callback of the page's (a listener, a hook) without letting it stop
 * the transport: to `reportError` (the console, `window.onerror`), or as an uncaught error of
 * its own microtask where there is none (Node 20).
 */
export function reportError(error: unknown): void {
  if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
  else
    queueMicrotask(() => {
      throw error;
    });
}

/** Callbacks waiting for the next macrotask, and the one channel that brings it. */
let waiting: (() => void)[] = [];
let channel: MessageChannel | null = null;

/** Node's ports keep the process alive while they listen: only while a task is due (no-ops in browsers). */
type NodePort = MessagePort & { ref?: () => void; unref?: () => void };

/**
 * Runs a callback as a macrotask; unlike timers, message events are not throttled in background
 * tabs. Callbacks queued before the task runs share it, and one channel serves them all (making
 * and closing a channel per call cost more than the callback). In Node the channel keeps the
 * process alive only while a task is due.
 */
export function macrotask(callback: () => void): void {
  waiting.push(callback);
  if (waiting.length > 1) return;
  if (channel === null) {
    channel = new MessageChannel();
    const port = channel.port1 as NodePort;
    port.onmessage = () => {
      const due = waiting;
      waiting = [];
      for (const run of due) {
        try {
          run();
        } catch (error) {
          // Reported as its own task's would be, without keeping the others from running.
          reportError(error);
        }
      }
      if (waiting.length === 0) port.unref?.();
    };
  }
  (channel.port1 as NodePort).ref?.();
  channel.port2.postMessage(null);
}

/** What a task run `withDeadline` fails with when its time ran out. */
export class DeadlineError extends Error {}

/**
 * Runs `task` with a signal that aborts when `outer` does, after `ms`, or when the task fails: a
 * fetch to a server that stopped answering (a dead connection, a sleeping laptop) must not hang
 * forever. The task may call `alive()` to start the `ms` over (a stream that still brings data
 * is not dead).
 */
export async function withDeadline<T>(
  outer: AbortSignal,
  ms: number,
  task: (signal: AbortSignal, alive: () => void) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(outer.reason);
  // An outer signal aborted already fires no event: the task starts aborted.
  if (outer.aborted) onAbort();
  outer.addEventListener('abort', onAbort);
  // alive() only notes the time: a stream calls it for each line, and a timer set and cleared per
  // line costs more than the line's own work. When the timer fires, it waits again for what is left.
  // The monotonic clock: a wall clock set back would lengthen the deadline by as much.
  let last = performance.now();
  const expire = () => {
    const left = last + ms - performance.now();
    if (left > 0) timer = setTimeout(expire, left);
    else controller.abort(new DeadlineError(`no answer within ${ms} ms`));
  };
  let timer = setTimeout(expire, ms);
  const alive = () => {
    last = performance.now();
  };
  try {
    return await task(controller.signal, alive);
  } catch (error) {
    // What the task started (a fetch whose body it stopped reading) stops with it.
    if (!controller.signal.aborted) controller.abort(error);
    throw error;
  } finally {
    clearTimeout(timer);
    outer.removeEventListener('abort', onAbort);
  }
}
