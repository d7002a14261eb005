/**
 * Whether a tab group's next poll asks to be streamed. It stops asking when a stream's lines
 * are held back on the way (a line comes late, none comes, or the stream dies), and asks again
 * later: a late line may have been a hiccup, not a proxy that buffers.
 */
import { debug } from '../protocol/debug.ts';

// Pure: with the DEBUG: calls dropped, the bundler drops the logger too.
const log = /* @__PURE__ */ debug('ptth:tab-group');

/**
 * How long after it stopped asking for streams a group asks again; twice as long after each
 * time it stops again, up to `STREAM_RETRY_MAX_MS`, and back to this once a stream flowed.
 */
export const STREAM_RETRY_MS = 60_000;
const STREAM_RETRY_MAX_MS = 3_600_000;

/** See the module comment. */
export class StreamChoice {
  #on: boolean;
  /** When (`performance.now()`) it asks again after a stop; 0 when none is due. */
  #againAt = 0;
  /** How long the next stop lasts. */
  #retryMs: number;

  /** `wanted`: streams at all (`LongPollOptions.stream`); `firstRetryMs`: tests shorten it. */
  constructor(
    readonly wanted: boolean,
    readonly firstRetryMs = STREAM_RETRY_MS,
  ) {
    this.#on = wanted;
    this.#retryMs = firstRetryMs;
  }

  /** Whether polls ask for streams now. */
  get on(): boolean {
    return this.#on;
  }

  /** Whether the poll about to go asks for a stream: after a stop, once its time is over. */
  next(): boolean {
    if (!this.#on && this.#againAt !== 0 && performance.now() >= this.#againAt) {
      DEBUG: log('asking for streams again');
      this.#on = true;
      this.#againAt = 0;
    }
    return this.#on;
  }

  /** Stops asking, for `#retryMs`, which doubles (a stop while stopped changes nothing). */
  stop(): void {
    if (!this.#on) return;
    DEBUG: log('no more streams for', this.#retryMs, 'ms');
    this.#on = false;
    this.#againAt = performance.now() + this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, STREAM_RETRY_MAX_MS);
  }

  /** A stream flowed for a whole hold: the next stop is a short one again. */
  flowed(): void {
    this.#retryMs = this.firstRetryMs;
  }

  /** Asks again at once (`wake()`: the page may be on another network now). */
  wake(): void {
    this.#on = this.wanted;
    this.#againAt = 0;
  }
}
