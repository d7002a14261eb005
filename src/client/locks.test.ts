import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { localLocks } from './locks.ts';

describe('localLocks', () => {
  it('grants a name to one holder at a time, in the order asked', async () => {
    const locks = localLocks();
    const order: string[] = [];
    let release: () => void = () => {};
    const first = locks.request('a', {}, () => {
      order.push('first');
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    const watch = new AbortController();
    const second = locks.request('a', { signal: watch.signal }, () => {
      order.push('second');
    });
    const other = locks.request('b', {}, () => {
      order.push('other name');
    });
    await other;
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(order, ['first', 'other name']);
    release();
    await Promise.all([first, second]);
    assert.deepEqual(order, ['first', 'other name', 'second']);
    // Its wait is over: nothing of it stays on the signal (a seat's lives as long as the seat).
    assert.equal(getEventListeners(watch.signal, 'abort').length, 0);
  });

  it('gives up a wait when its signal aborts', async () => {
    const locks = localLocks();
    let release: () => void = () => {};
    const held = locks.request('a', {}, () => new Promise<void>((resolve) => (release = resolve)));
    const give = new AbortController();
    let ran = false;
    const waiting = locks.request('a', { signal: give.signal }, () => {
      ran = true;
    });
    give.abort(new Error('gone'));
    await assert.rejects(waiting, /gone/);
    release();
    await held;
    assert.equal(ran, false);
  });
});
