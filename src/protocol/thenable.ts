/**
 * Telling an answer given at once from one still to come. `instanceof Promise` would take a
 * promise of another library or realm (Bluebird, zone.js's, an iframe's) for an answer: anything
 * with a `then` method is one still to come, as `await` sees it.
 */

/** Whether `value` is a promise or any other thenable. */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
