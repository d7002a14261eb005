/**
 * Token buckets: a rate limit that allows short bursts. Each key (a client id) has a bucket of
 * `burst` tokens, refilled at `perSecond` tokens a second; a call takes one token or is told how
 * long to wait for the next. The clock is injected, so tests need no timers.
 */

/** A clock in milliseconds, `Date.now` by default; tests pass their own. */
export type Clock = () => number;

/** The rate and the burst of a limiter. `perSecond: Infinity` turns the limit off. */
export interface RateOptions {
  /** Tokens added per second. */
  perSecond: number;
  /** The most tokens a bucket holds: how many calls may come at once after a quiet spell. */
  burst: number;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date. */
  at: number;
}

/** How many buckets a limiter keeps before it forgets the full ones (a full bucket is a fresh one). */
const SWEEP_ABOVE = 1_024;

/** Per-key token buckets with one rate and burst. */
export class RateLimiter {
  readonly perSecond: number;
  readonly burst: number;
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: Clock;
  #sweepAt = SWEEP_ABOVE;

  constructor(options: RateOptions, now: Clock = Date.now) {
    const { perSecond, burst } = options;
    if (!(perSecond > 0)) throw new RangeError(`A rate must be above 0 per second, got ${perSecond}`);
    if (!(burst >= 1) || !Number.isFinite(burst)) {
      throw new RangeError(`A burst must be a finite number of at least 1, got ${burst}`);
    }
    this.perSecond = perSecond;
    this.burst = burst;
    this.#now = now;
  }

  /** Whether the limit is off (`perSecond: Infinity`). */
  get unlimited(): boolean {
    return this.perSecond === Number.POSITIVE_INFINITY;
  }

  /** Takes a token for `key`: `0` when the call may go on, else the milliseconds until one is free. */
  take(key: string): number {
    if (this.unlimited) return 0;
    const now = this.#now();
    const bucket = this.#refill(key, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / this.perSecond) * 1_000);
  }

  /** Forgets `key` (its client left). */
  forget(key: string): void {
    this.#buckets.delete(key);
  }

  /** How many buckets are kept (for tests: full ones are swept away). */
  get size(): number {
    return this.#buckets.size;
  }

  #refill(key: string, now: number): Bucket {
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#sweepAt) this.#sweep(now);
      bucket = { tokens: this.burst, at: now };
      this.#buckets.set(key, bucket);
      return bucket;
    }
    // A clock that steps back (a test, an adjusted wall clock) refills nothing rather than draining.
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(this.burst, bucket.tokens + (elapsed / 1_000) * this.perSecond);
    bucket.at = now;
    return bucket;
  }

  /** Drops buckets that have refilled (they hold no memory worth keeping), so keys cannot pile up. */
  #sweep(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1_000) * this.perSecond >= this.burst) this.#buckets.delete(key);
    }
    this.#sweepAt = Math.max(SWEEP_ABOVE, this.#buckets.size * 2);
  }
}
