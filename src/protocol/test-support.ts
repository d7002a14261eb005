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
