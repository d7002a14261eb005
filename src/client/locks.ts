/**
 * The locks a tab group elects its leader with and learns that a tab is gone by: the browser's
 * Web Locks, shared by the origin's tabs, or locks within one tab for a group of one connection
 * (`soloGroup`), which work where `navigator.locks` does not (an insecure context, Node).
 */

/** Web Locks, as far as the group needs them. */
export interface Locks {
  request(name: string, options: { signal?: AbortSignal }, callback: () => Promise<void> | void): Promise<unknown>;
}

/** The browser's Web Locks, or `null` where there are none (an insecure context, old browsers). */
export function browserLocks(): Locks | null {
  const locks = (globalThis.navigator as { locks?: Locks } | undefined)?.locks;
  return locks && typeof BroadcastChannel === 'function' ? locks : null;
}

/**
 * Locks within one tab: a name held makes later requests for it wait until it is released (or
 * give up when their signal aborts). Waiters are granted in the order they asked, but a request
 * made just as the name is released may go first: a tab group never has two waiting.
 */
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
