/**
 * A caller in this process waiting for the answer to one reverse request: its promise, its
 * deadline and its abort signal. One object per call, with no closures: thousands are in flight
 * at once, each for a whole round trip, so what they hold is what the garbage collector copies
 * and promotes.
 */
import type { ReverseRequest, ReverseResponse } from '../protocol/message.ts';
import type { ClientSession } from './client-session.ts';

/**
 * What a call needs of an `AbortSignal`: an `AbortSignal` is one, and so is the node adapter's
 * `Exchange`, which says when a caller's connection closed without making a signal.
 */
export interface AbortLike {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: EventListenerObject, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: EventListenerObject): void;
}

/** Throws the reason of an aborted signal, as `AbortSignal.throwIfAborted` does. */
export function throwIfAborted(signal: AbortLike | undefined): void {
  if (signal?.aborted) throw signal.reason;
}

/** What a call settles with: the client's answer, or a problem made in its place. */
export type CallAnswer = ReverseResponse | Response;

/** The hub's side of a call: told when the call is over, before its caller hears. */
export interface CallOwner {
  /** The call is over (answered, aborted, timed out): forget it; the result is the store's `settle`. */
  finished(call: PendingCall): unknown;
  /** The call timed out: the answer its caller gets. */
  timedOut(call: PendingCall, finished: unknown): CallAnswer | Promise<CallAnswer>;
}

/** See the module comment. `promise` settles once: with `settle`, the timeout, or the signal's reason. */
export class PendingCall {
  readonly promise: Promise<CallAnswer>;
  #resolve!: (answer: CallAnswer) => void;
  #reject!: (reason: unknown) => void;
  readonly #timer: ReturnType<typeof setTimeout>;
  readonly #signal: AbortLike | undefined;
  #over = false;
  /** What the owner said when the call ended (the store's entry, for the 504's wording). */
  #finished: unknown;

  constructor(
    readonly owner: CallOwner,
    readonly session: ClientSession,
    readonly request: ReverseRequest,
    readonly timeoutMs: number,
    signal?: AbortLike,
  ) {
    this.promise = new Promise<CallAnswer>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#timer = setTimeout(PendingCall.#timeOut, timeoutMs, this);
    this.#signal = signal;
    if (signal) {
      signal.addEventListener('abort', this, { once: true });
      // The caller may abort while the store works; the rejection is the caller's to handle.
      this.promise.catch(() => {});
    }
  }

  /** The id of the client the request was made on. */
  get clientId(): string {
    return this.session.id;
  }

  /** Whether the call is over. */
  get over(): boolean {
    return this.#over;
  }

  /** Settles the call with an answer, unless it is over already. */
  settle(answer: CallAnswer): void {
    if (this.#end()) this.#resolve(answer);
  }

  /** The signal aborted (an `EventListener` object, so no closure per call). */
  handleEvent(): void {
    if (this.#end()) this.#reject(this.#signal?.reason);
  }

  /** Ends the call; `false` when it was over already. */
  #end(): boolean {
    if (this.#over) return false;
    this.#over = true;
    clearTimeout(this.#timer);
    this.#signal?.removeEventListener('abort', this);
    this.#finished = this.owner.finished(this);
    return true;
  }

  static #timeOut(call: PendingCall): void {
    if (!call.#end()) return;
    Promise.resolve(call.#finished)
      .then((finished) => call.owner.timedOut(call, finished))
      .then(call.#resolve, call.#reject);
  }
}
