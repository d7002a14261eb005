import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineTiming } from './line-timing.ts';

/** Clocks a test moves: `now` (monotonic) and `wall`, in ms. */
function clocks() {
  const time = { now: 1_000, wall: 5_000_000 };
  return {
    time,
    clocks: { now: () => time.now, wall: () => time.wall },
    pass(ms: number) {
      time.now += ms;
      time.wall += ms;
    },
  };
}

const hello = (at: number) => ({ at, requests: [] });
const request = (at: number) => ({ at, requests: [{}] });

describe('LineTiming', () => {
  it('takes a stream whose lines came with steady delays, however slow the poll was to get there', () => {
    const { clocks: c, pass } = clocks();
    const timing = new LineTiming(1_000, 25_000, 3_000, c);
    pass(2_500); // a slow upload: the hub got the poll's head 2.5 s after it was sent
    assert.equal(timing.late(hello(0)), false);
    for (let i = 1; i <= 10; i++) {
      pass(1_000);
      assert.equal(timing.late(request(i * 1_000)), false);
    }
    assert.equal(timing.heldBack, false);
  });

  it('finds lines held back when two delays are more than lateMs apart, and says so once', () => {
    const { clocks: c, pass } = clocks();
    const timing = new LineTiming(1_000, 25_000, 3_000, c);
    assert.equal(timing.late(hello(0)), false);
    // Lines written at 1 s and 5 s both come at 5 s: the first was held 4 s.
    pass(5_000);
    assert.equal(timing.late(request(1_000)), true);
    assert.equal(timing.late(request(5_000)), false, 'said once, not again (a wake() meanwhile stays)');
    assert.equal(timing.heldBack, true);
  });

  it('times the first line from the sending: half a hold for the empty one, lateMs for a request', () => {
    for (const [line, after, late] of [
      [hello(0), 12_000, false],
      [hello(0), 13_000, true],
      [request(0), 2_900, false],
      [request(0), 3_100, true],
    ] as const) {
      const { clocks: c, pass } = clocks();
      const timing = new LineTiming(1_000, 25_000, 3_000, c);
      pass(after);
      assert.equal(timing.late(line), late, `${line.requests.length} requests after ${after} ms`);
    }
  });

  it('times a line by its first byte: a long one that took seconds to come whole is not late', () => {
    const { time, clocks: c, pass } = clocks();
    const timing = new LineTiming(1_000, 25_000, 3_000, c);
    assert.equal(timing.late(hello(0), { firstByteAt: time.now, behind: 0 }), false);
    pass(1_000);
    const began = time.now;
    // Its first byte now, its last 5 s later (a large body on a slow link).
    pass(5_000);
    assert.equal(timing.late(request(1_000), { firstByteAt: began, behind: 0 }), false);
    assert.equal(timing.heldBack, false);
    // Timed by its last byte, the same line would be 5 s late.
    const byLast = new LineTiming(1_000, 25_000, 3_000, c);
    assert.equal(byLast.late(hello(0), { firstByteAt: began - 1_000, behind: 0 }), false);
    assert.equal(byLast.late(request(1_000)), true);
  });

  it('does not count against a line what it waited behind the lines before it on the link', () => {
    const { time, clocks: c, pass } = clocks();
    const timing = new LineTiming(1_000, 25_000, 3_000, c);
    assert.equal(timing.late(hello(0), { firstByteAt: time.now, behind: 0 }), false);
    // A large line took 5 s to come; one written at 1 s came right after it.
    pass(5_600);
    assert.equal(timing.late(request(1_000), { firstByteAt: time.now, behind: 5_000 }), false);
    assert.equal(timing.heldBack, false);
    // The same line with nothing before it on the link (a proxy held it) is late.
    const held = new LineTiming(1_000, 25_000, 3_000, c);
    assert.equal(held.late(hello(0), { firstByteAt: time.now - 5_600, behind: 0 }), false);
    assert.equal(held.late(request(1_000), { firstByteAt: time.now, behind: 0 }), true);
  });

  it('stops judging when the monotonic clock stood still while the wall clock went on (sleep)', () => {
    const { time, clocks: c, pass } = clocks();
    const timing = new LineTiming(1_000, 25_000, 3_000, c);
    assert.equal(timing.late(hello(0)), false);
    pass(1_000);
    assert.equal(timing.late(request(1_000)), false);
    // 10 s of sleep: the hub's clock went on, this page's monotonic one did not.
    time.wall += 10_000;
    pass(500);
    assert.equal(timing.late(request(11_500)), false);
    assert.equal(timing.heldBack, false);
  });
});
