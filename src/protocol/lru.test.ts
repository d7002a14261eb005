import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { remembered } from './lru.ts';

describe('remembered', () => {
  it('makes each key once while it is among the last `limit` used, least recently used out first', () => {
    const made: string[] = [];
    const upper = remembered(2, (key: string) => {
      made.push(key);
      return key.toUpperCase();
    });
    assert.equal(upper('a'), 'A');
    assert.equal(upper('b'), 'B');
    assert.equal(upper('a'), 'A'); // a is now the most recent: b goes first
    assert.equal(upper('c'), 'C');
    assert.equal(upper('a'), 'A');
    assert.equal(upper('b'), 'B');
    assert.deepEqual(made, ['a', 'b', 'c', 'b']);
    assert.equal(upper.size, 2);
  });

  it('asked for its most recent key again and again, still puts out the least recent first', () => {
    const made: (string | undefined)[] = [];
    const upper = remembered(2, (key: string | undefined) => {
      made.push(key);
      return key?.toUpperCase() ?? 'NONE';
    });
    upper('a');
    upper('b');
    upper('b');
    upper('b');
    upper('a');
    upper('a');
    upper('c'); // b is the least recent now
    upper('a');
    upper('b');
    assert.deepEqual(made, ['a', 'b', 'c', 'b']);
    // `undefined` is a key like the others, even while nothing was asked before it.
    assert.equal(remembered(2, () => 'made')(undefined), 'made');
    assert.equal(upper(undefined), 'NONE');
  });

  it('keeps undefined and null results, but not a throw, nor what `keep` refuses', () => {
    let calls = 0;
    const nothing = remembered(4, () => {
      calls++;
      return undefined;
    });
    nothing('x');
    nothing('x');
    assert.equal(calls, 1);
    let throws = 0;
    const failing = remembered(4, (key: string) => {
      throws++;
      throw new Error(key);
    });
    assert.throws(() => failing('y'), /y/);
    assert.throws(() => failing('y'), /y/);
    assert.equal(throws, 2);
    assert.equal(failing.size, 0);
    let long = 0;
    const short = remembered(
      4,
      (key: string) => {
        long++;
        return key.length;
      },
      (key) => key.length < 3,
    );
    short('abcd');
    short('abcd');
    assert.equal(long, 2);
    assert.equal(short.size, 0);
  });
});
