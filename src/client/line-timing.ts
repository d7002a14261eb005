/**
 * Whether a streamed poll's lines show that something on the way (a proxy that buffers) held
 * some of them back. Each line's delay is its arrival minus its `at` (the hub's milliseconds
 * since the poll's head came), give or take a constant (the two clocks differ, and the poll's
 * upload, however slow, delays every line alike): two delays more than `lateMs` apart mean lines
 * were held. A line is timed by its first byte, less what it may have waited behind the lines
 * before it on the link: a long line on a slow link, and those waiting behind it, are not late.
 * Only the first line is timed from the poll's sending: the hub's empty first line may be late by
 * half a hold (a proxy that holds the response's head adds a whole one; an upload seldom takes
 * that long), a request by `lateMs`.
 */

import type { Arrival } from './hub-exchange.ts';

/** The clocks a timing reads: monotonic, and the wall's (tests give their own). */
export interface Clocks {
  now(): number;
  wall(): number;
}

const CLOCKS: Clocks = { now: () => performance.now(), wall: () => Date.now() };

/** See the module comment; one per stream. */
export class LineTiming {
  #early = Number.POSITIVE_INFINITY;
  #late = Number.NEGATIVE_INFINITY;
  /** The wall clock minus the monotonic one at the first line. */
  #offset: number | null = null;
  #heldBack = false;
  /** No more judging: the stream was found held back, or the monotonic clock paused (sleep). */
  #done = false;

  constructor(
    readonly sentAt: number,
    readonly holdMs: number,
    readonly lateMs: number,
    readonly clocks: Clocks = CLOCKS,
  ) {}

  /** Whether the stream was found held back. */
  get heldBack(): boolean {
    return this.#heldBack;
  }

  /**
   * A line came, its first byte at `arrival.firstByteAt` (the monotonic clock; by default now):
   * `true` the first time it shows the stream held back, and only then. What it may have waited
   * behind earlier lines on the link (`arrival.behind`) does not make it late.
   */
  late(line: { at?: number; requests: readonly unknown[] }, arrival?: Arrival): boolean {
    if (this.#done || line.at === undefined) return false;
    const now = this.clocks.now();
    // Where the monotonic clock stops while the machine sleeps, delays would shrink by the sleep.
    const offset = this.clocks.wall() - now;
    if (this.#offset === null) this.#offset = offset;
    else if (Math.abs(offset - this.#offset) > this.lateMs) {
      this.#done = true;
      return false;
    }
    const delay = (arrival?.firstByteAt ?? now) - line.at;
    const first = this.#early === Number.POSITIVE_INFINITY;
    const allowed = line.requests.length === 0 ? Math.max(this.lateMs, this.holdMs / 2) : this.lateMs;
    this.#early = Math.min(this.#early, delay);
    this.#late = Math.max(this.#late, delay - (arrival?.behind ?? 0));
    if ((first && delay - this.sentAt > allowed) || this.#late - this.#early > this.lateMs) {
      this.#heldBack = this.#done = true;
      return true;
    }
    return false;
  }
}
