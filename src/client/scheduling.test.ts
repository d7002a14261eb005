import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, DeadlineError, macrotask, withDeadline } from './scheduling.ts';

describe('scheduling helpers', () => {
  it('backoff doubles from min to max, never below half of it', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const ceiling = Math.min(30_000, 500 * 2 ** attempt);
      for (let i = 0; i < 50; i++) {
        const delay = backoffDelay(attempt, 500, 30_000);
        assert.ok(delay >= ceiling / 2 && delay <= ceiling, `attempt ${attempt}: ${delay}`);
      }
    }
  });

  it('a deadline aborts a task that does not finish in time', async () => {
    const outer = new AbortController();
    const never = (signal: AbortSignal) =>
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    await assert.rejects(withDeadline(outer.signal, 20, never), /no answer within 20 ms/);
  });

  it('a deadline passes on the outer abort and lets a quick task finish', async () => {
    const outer = new AbortController();
    assert.equal(await withDeadline(outer.signal, 1_000, async () => 'done'), 'done');
    const pending = withDeadline(
      outer.signal,
      1_000,
      (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    );
    outer.abort(new Error('closed'));
    await assert.rejects(pending, /closed/);
  });

  it('a deadline whose outer signal aborted already starts its task aborted', async () => {
    const outer = new AbortController();
    outer.abort(new Error('closed before'));
    const seen = await withDeadline(outer.signal, 1_000, async (signal) => signal.aborted);
    assert.equal(seen, true);
  });

  it('a deadline aborts its signal when the task fails, so what the task started stops with it', async () => {
    let seen: AbortSignal | undefined;
    const failure = new Error('the first line did not come');
    await assert.rejects(
      withDeadline(new AbortController().signal, 10_000, async (signal) => {
        seen = signal;
        throw failure;
      }),
      failure,
    );
    assert.equal(seen?.aborted, true);
    assert.equal(seen?.reason, failure);
  });

  it('a deadline starts over at each alive(), and ends its time after the last one', async () => {
    const outer = new AbortController();
    const start = Date.now();
    let lastAlive = start;
    const ended = await withDeadline(
      outer.signal,
      60,
      (signal, alive) =>
        new Promise<number>((resolve) => {
          const beat = setInterval(() => {
            if (Date.now() - start < 200) {
              alive();
              lastAlive = Date.now();
            }
          }, 15);
          signal.addEventListener('abort', () => {
            clearInterval(beat);
            assert.ok(signal.reason instanceof DeadlineError);
            resolve(Date.now());
          });
        }),
    );
    // Alive for 200 ms, well past the 60 ms deadline; over 60 ms after the last alive().
    assert.ok(ended - start >= 200, `ended after ${ended - start} ms`);
    assert.ok(ended - lastAlive >= 59, `ended ${ended - lastAlive} ms after the last alive()`);
  });

  it('a macrotask runs after the microtasks queued before it', async () => {
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      macrotask(() => {
        order.push('macrotask');
        resolve();
      });
      queueMicrotask(() => order.push('microtask'));
    });
    assert.deepEqual(order, ['microtask', 'macrotask']);
  });

  it('macrotasks queued before one runs run together, in order, after the microtasks', async () => {
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      macrotask(() => order.push('a'));
      macrotask(() => {
        order.push('b');
        macrotask(() => {
          order.push('c, a task later');
          resolve();
        });
      });
      queueMicrotask(() => order.push('microtask'));
    });
    assert.deepEqual(order, ['microtask', 'a', 'b', 'c, a task later']);
  });
});
