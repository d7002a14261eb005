/**
 * The `Request` the node adapter hands to handlers, with two things made only when used, since
 * on the hot path of every request each costs more than the rest of it (Node 20 makes each
 * `AbortSignal` and `ReadableStream` transferable, a slow path):
 *
 * - its `signal`, which follows the connection (a held poll asks; most handlers never do; the
 *   endpoints use `requestGone`/`whenGone`, which need none);
 * - its body stream: the adapter has read the body into memory already; `readBody` takes those
 *   bytes as they are (`TAKE_BODY`), and anything else that reads the body (`text()`, `body`,
 *   `clone()`, `new Request(request)`, `fetch(request)`) gets a stream made at that moment. This
 *   leans on how Node's fetch classes keep a body (an internal `state.body`); where that is not
 *   found at start-up, bodies are made as usual.
 *
 * A handler that passes the request on as it is (`fetch(request)`, `request.clone()`) passes a
 * copy whose signal does not follow the connection; pass `signal: request.signal` for that.
 */
import type { ServerResponse } from 'node:http';
import type { Bytes } from '../protocol/message.ts';
import { TAKE_BODY } from '../protocol/read-body.ts';
import type { AbortLike } from './pending-call.ts';

/** Where a response keeps its exchange. */
const EXCHANGE = Symbol('ptth.exchange');

/** The `close` listener of every response with an exchange (`this` is the response). */
function onResponseClose(this: ServerResponse & { [EXCHANGE]?: Exchange }): void {
  if (!this.writableFinished) this[EXCHANGE]?.lost();
}

/**
 * Whether the connection closed before the response was written. It is shaped like an abort
 * signal (`AbortLike`, enough for `hub.send`), and makes a real `AbortSignal` only when asked.
 */
export class Exchange implements AbortLike {
  /** When the request's head came (`performance.now()`), before its body was read. */
  readonly arrivedAt = performance.now();
  #controller: AbortController | null = null;
  #reason: Error | null = null;
  #listeners: (EventListenerObject | (() => void))[] | null = null;

  constructor(res: ServerResponse) {
    // One listener function for every response (no closure each: a held poll keeps it).
    (res as ServerResponse & { [EXCHANGE]?: Exchange })[EXCHANGE] = this;
    res.on('close', onResponseClose);
  }

  /** The connection closed before the response was written: abort, and tell the listeners. */
  lost(): void {
    if (this.#reason !== null) return;
    this.#reason = new Error('The connection closed before the response was sent');
    this.#controller?.abort(this.#reason);
    const listeners = this.#listeners;
    this.#listeners = null;
    if (listeners === null) return;
    const event = new Event('abort');
    for (const listener of listeners) typeof listener === 'function' ? listener() : listener.handleEvent(event);
  }

  get closed(): boolean {
    return this.#reason !== null;
  }

  get aborted(): boolean {
    return this.#reason !== null;
  }

  get reason(): unknown {
    return this.#reason ?? undefined;
  }

  /** Calls `listener` once if the connection closes before the response is written; returns a remover. */
  onClose(listener: () => void): () => void {
    if (this.closed) {
      queueMicrotask(listener);
      return () => {};
    }
    this.#listeners ??= [];
    this.#listeners.push(listener);
    return () => this.#remove(listener);
  }

  /** `onClose` as an abort signal's listener; once, always (the connection closes once). */
  addEventListener(_type: 'abort', listener: EventListenerObject): void {
    if (this.closed) return;
    this.#listeners ??= [];
    this.#listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: EventListenerObject): void {
    this.#remove(listener);
  }

  #remove(listener: EventListenerObject | (() => void)): void {
    const at = this.#listeners?.indexOf(listener) ?? -1;
    if (at >= 0) this.#listeners?.splice(at, 1);
  }

  /** The signal, made the first time it is asked for (aborted at once when the connection is gone). */
  signal(): AbortSignal {
    if (this.#controller === null) {
      this.#controller = new AbortController();
      if (this.#reason !== null) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }
}

/** What Node's fetch classes keep of a body: its stream, where it came from and its length. */
interface InternalBody {
  stream: ReadableStream;
  source: unknown;
  length: number | null;
}

/**
 * The symbol under which Node's `Request` and `Response` keep their state, when their bodies
 * are kept there as a plain, writable `body` property; `null` otherwise (bodies stay eager).
 */
export const STATE: symbol | null = (() => {
  try {
    const probe = new Request('http://probe.invalid/', { method: 'POST', body: 'x' });
    const symbol = Object.getOwnPropertySymbols(probe).find((s) => s.description === 'state');
    if (symbol === undefined) return null;
    const request = Object.getOwnPropertyDescriptor((probe as unknown as Record<symbol, object>)[symbol], 'body');
    const response = (new Response('x') as unknown as Record<symbol, { body?: InternalBody }>)[symbol];
    const usable = request?.writable && 'value' in request && response?.body?.stream instanceof ReadableStream;
    return usable ? symbol : null;
  } catch {
    return null;
  }
})();

/**
 * The symbol under which Node's `Request` keeps the signal its constructor made, read again only
 * by `new Request(request)` (whose copy then follows no signal, as documented above); `null`
 * where it is not found (the signal is then kept).
 */
const SIGNAL: symbol | null = (() => {
  try {
    const probe = new Request('http://probe.invalid/');
    const symbol = Object.getOwnPropertySymbols(probe).find((s) => s.description === 'signal');
    const signal = symbol && (probe as unknown as Record<symbol, unknown>)[symbol];
    return symbol !== undefined && signal instanceof AbortSignal ? symbol : null;
  } catch {
    return null;
  }
})();

/**
 * A request's body as Node's fetch classes keep it (`state.body`), whose stream is made the first
 * time it is asked for, as `new Request(url, { body: bytes })` would have made it. An object of
 * its own class in the plain `body` field: an accessor on the state object itself would turn
 * that object into a dictionary (1.6 KB a request, for as long as a poll is held).
 */
class LazyBody implements InternalBody {
  #stream: ReadableStream | null = null;

  constructor(
    readonly source: Bytes,
    readonly length: number,
  ) {}

  /** Whether a stream was made of the body (it may have been read since). */
  get streamed(): boolean {
    return this.#stream !== null;
  }

  get stream(): ReadableStream {
    if (this.#stream === null) {
      const made = (new Response(this.source) as unknown as Record<symbol, { body: InternalBody }>)[STATE as symbol];
      this.#stream = (made as { body: InternalBody }).body.stream;
    }
    return this.#stream;
  }

  /** `clone()` puts one branch of a tee here. */
  set stream(stream: ReadableStream) {
    this.#stream = stream;
  }
}

/** A request from the adapter; see the module comment. */
export class NodeRequest extends Request {
  readonly exchange: Exchange;
  /** The body as read by the adapter (kept for `readBody` while its stream is unused). */
  readonly #bytes: Bytes | null;
  /** Set while the body is lazy. */
  readonly #lazy: LazyBody | null;

  constructor(url: string, init: { method: string; body: Bytes | null }, exchange: Exchange) {
    const lazy = init.body !== null && STATE !== null;
    super(url, lazy ? { method: init.method } : init);
    // Let go of the signal the constructor made (ours is `exchange.signal()`): a held poll would keep it.
    if (SIGNAL !== null) (this as unknown as Record<symbol, AbortSignal | null>)[SIGNAL] = null;
    this.exchange = exchange;
    this.#bytes = init.body;
    this.#lazy = null;
    if (lazy && init.body !== null && STATE !== null) {
      this.#lazy = new LazyBody(init.body, init.body.length);
      const state = (this as unknown as Record<symbol, { body: InternalBody | null } | undefined>)[STATE];
      if (state) state.body = this.#lazy;
    }
  }

  override get signal(): AbortSignal {
    return this.exchange.signal();
  }

  /**
   * The bytes as read, leaving the body as it was (a handler may still read it); `undefined` once
   * its stream has been read from (see `takeBody`).
   */
  [TAKE_BODY](): Bytes | undefined {
    const streamed = this.#lazy === null || this.#lazy.streamed;
    if (this.#bytes === null || (streamed && this.bodyUsed)) return undefined;
    return this.#bytes;
  }
}
