/**
 * Web Locks within one tab: a name held makes later requests for it wait, in order, until it is
 * released (or give up when their signal aborts). A tab group that polls for one tab alone uses
 * these (`soloGroup`): no other tab shares them, and they work where `navigator.locks` does not
 * (an insecure context, Node).
 */
import type { Locks } from './tab-group.ts';

export function localLocks(): Locks {
  const held = new Map<string, Promise<unknown>>();
  return {
    async request(name, { signal }, callback) {
      while (held.has(name)) {
        if (signal?.aborted) throw signal.reason;
        await released(held.get(name) as Promise<unknown>, signal);
      }
      if (signal?.aborted) throw signal.reason;
      const running = Promise.resolve().then(callback);
      held.set(name, running);
      try {
        return await running;
      } finally {
        held.delete(name);
      }
    },
  };
}

/** Settles when `holder` does, or rejects when `signal` aborts first; leaves no listener behind. */
function released(holder: Promise<unknown>, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    holder.then(done, done);
  });
}
