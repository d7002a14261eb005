/** Test support shared by the protocol tests. Only tests import this file. */
import assert from 'node:assert/strict';
import { HttpError } from './http-error.ts';
import type { Bytes } from './message.ts';

/** Every byte value once, 0 to 255: a body that is not UTF-8. */
export const ALL_BYTES: Bytes = Uint8Array.from({ length: 256 }, (_, i) => i);

/** Asserts that `fn` throws a 400 `HttpError` whose message matches `message`. */
export function assertBadRequest(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof HttpError, `expected an HttpError, got ${String(error)}`);
    assert.equal(error.status, 400);
    assert.match(error.message, message);
    return true;
  });
}

/** A seeded generator (xorshift32) of numbers in [0, 1), so a failing random test can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}
