import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimiter } from './rate-limit.ts';

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('RateLimiter', () => {
  it('lets a burst through at once, then refuses with the wait until the next token', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ perSecond: 10, burst: 3 }, clock.now);
    assert.deepEqual(
      [1, 2, 3].map(() => limiter.take('a')),
      [0, 0, 0],
    );
    assert.equal(limiter.take('a'), 100);
    clock.advance(40);
    assert.equal(limiter.take('a'), 60);
  });

  it('refills at the rate, never above the burst', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ perSecond: 10, burst: 2 }, clock.now);
    limiter.take('a');
    limiter.take('a');
    clock.advance(100);
    assert.equal(limiter.take('a'), 0);
    assert.ok(limiter.take('a') > 0);
    clock.advance(60_000);
    assert.equal(limiter.take('a'), 0);
    assert.equal(limiter.take('a'), 0);
    assert.ok(limiter.take('a') > 0, 'a long pause refills only up to the burst');
  });

  it('keeps one bucket per key', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, clock.now);
    assert.equal(limiter.take('a'), 0);
    assert.ok(limiter.take('a') > 0);
    assert.equal(limiter.take('b'), 0);
    limiter.forget('a');
    assert.equal(limiter.take('a'), 0);
  });

  it('holds a steady rate over time: 10 per second for 5 seconds lets about 50 through after the burst', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ perSecond: 10, burst: 5 }, clock.now);
    let passed = 0;
    for (let ms = 0; ms < 5_000; ms += 1) {
      if (limiter.take('a') === 0) passed++;
      clock.advance(1);
    }
    assert.ok(passed >= 54 && passed <= 56, `${passed}`);
  });

  it('a clock that steps back refills nothing', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ perSecond: 10, burst: 1 }, clock.now);
    limiter.take('a');
    clock.advance(-5_000);
    assert.ok(limiter.take('a') > 0);
  });

  it('forgets full buckets once many keys have come and gone', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ perSecond: 100, burst: 1 }, clock.now);
    for (let i = 0; i < 5_000; i++) limiter.take(`key${i}`);
    clock.advance(1_000);
    for (let i = 0; i < 5_000; i++) limiter.take(`other${i}`);
    assert.ok(limiter.size < 6_000, `${limiter.size} buckets kept`);
  });

  it('Infinity turns the limit off; a rate of 0 or a burst below 1 is refused', () => {
    const limiter = new RateLimiter({ perSecond: Number.POSITIVE_INFINITY, burst: 1 });
    assert.ok(limiter.unlimited);
    for (let i = 0; i < 1_000; i++) assert.equal(limiter.take('a'), 0);
    assert.throws(() => new RateLimiter({ perSecond: 0, burst: 1 }), /above 0/);
    assert.throws(() => new RateLimiter({ perSecond: 1, burst: 0.5 }), /at least 1/);
    assert.throws(() => new RateLimiter({ perSecond: Number.NaN, burst: 1 }), /above 0/);
  });
});
