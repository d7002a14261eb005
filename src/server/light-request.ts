/**
 * The light request: an incoming `node:http` message as ptth's own routes read it (method, URL,
 * header fields, the body the adapter has read, the `Exchange`), made without undici's `Request`
 * and `Headers`. Those two cost more than the rest of a poll or a gateway call (Node 20 makes an
 * `AbortSignal` for every `Request`, and `Headers` checks each field), and a held poll would keep
 * its `Request` for as long as it is held.
 *
 * A handler says it can take one by carrying `TAKES_LIGHT` (see `takesLight`); the adapter then
 * hands it a `LightRequest`. Any handler that cannot (a user's own, a fetch-shaped library) gets
 * `asRequest(request)`: the real `NodeRequest` the adapter would have made, made once, when first
 * needed (`callRoute` in route-chain.ts does this for chains of routes).
 */
import { HttpError } from '../protocol/http-error.ts';
import type { Bytes } from '../protocol/message.ts';
import type { Exchange } from './node-request.ts';
import { NodeRequest } from './node-request.ts';
import type { AbortLike } from './pending-call.ts';

/** The header in which the adapter tells handlers the peer's address (any incoming one is replaced). */
export const REMOTE_ADDRESS_HEADER = 'ptth-remote-address';

/** The key of the mark of a handler that takes a `LightRequest` as well as a `Request`. */
export const TAKES_LIGHT: unique symbol = Symbol('ptth.takesLight');

/** A request as ptth's own routes take it: a real one, or the adapter's light one. */
export type AnyRequest = Request | LightRequest;

/** A handler marked as taking light requests. */
export type Light<F> = F & { readonly [TAKES_LIGHT]: true };

/** Marks `handler` as one that takes a `LightRequest` as well as a `Request` (it reads only what both have). */
export function takesLight<F extends (request: AnyRequest) => unknown>(handler: F): Light<F> {
  return Object.assign(handler, { [TAKES_LIGHT]: true as const });
}

/** Whether `handler` is marked by `takesLight`. */
export function isLight(handler: unknown): boolean {
  return (handler as Partial<Light<unknown>>)[TAKES_LIGHT] === true;
}

/** The real `Request` of `request`: itself, or the one its light request stands for. */
export function asRequest(request: AnyRequest): Request {
  return request instanceof LightRequest ? request.toRequest() : request;
}

/** How `Headers` joins the values of a field sent more than once: Cookie with "; ", any other with ", ". */
function separatorOf(lowercaseName: string): string {
  return lowercaseName === 'cookie' ? '; ' : ', ';
}

/**
 * The header fields of a light request, read from node's `rawHeaders` as `Headers` would give
 * them: names matched without case, repeated fields joined (node's own `req.headers` keeps only
 * the first of some, such as Content-Type), and the peer's address in `REMOTE_ADDRESS_HEADER` in
 * place of any sent.
 */
export class LightHeaders {
  constructor(
    readonly raw: readonly string[],
    readonly address: string,
  ) {}

  get(name: string): string | null {
    const lower = name.toLowerCase();
    if (lower === REMOTE_ADDRESS_HEADER) return this.address;
    const raw = this.raw;
    let value: string | null = null;
    for (let i = 0; i < raw.length; i += 2) {
      const field = raw[i] as string;
      if (field.length === lower.length && field.toLowerCase() === lower) {
        value = value === null ? (raw[i + 1] as string) : value + separatorOf(lower) + raw[i + 1];
      }
    }
    return value;
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }

  /** Each field as `Headers.forEach` gives them: by lowercase name, in order, repeats joined (Set-Cookie ones not). */
  forEach(callback: (value: string, name: string) => void): void {
    const fields = new Map<string, string[]>();
    const raw = this.raw;
    for (let i = 0; i < raw.length; i += 2) {
      const name = (raw[i] as string).toLowerCase();
      if (name === REMOTE_ADDRESS_HEADER) continue;
      const values = fields.get(name);
      if (values === undefined) fields.set(name, [raw[i + 1] as string]);
      else values.push(raw[i + 1] as string);
    }
    fields.set(REMOTE_ADDRESS_HEADER, [this.address]);
    for (const name of [...fields.keys()].sort()) {
      const values = fields.get(name) as string[];
      if (name === 'set-cookie') for (const value of values) callback(value, name);
      else callback(values.join(separatorOf(name)), name);
    }
  }
}

/** Methods a `Request` writes in capitals whatever their case (fetch's "normalize a method"). */
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

/** See the module comment. Made by the adapter, which has checked the method, Host and body limit. */
export class LightRequest {
  readonly method: string;
  readonly headers: LightHeaders;
  #url: string | null = null;
  #request: NodeRequest | null = null;

  /**
   * `target` is the URL as the adapter hands it to a `Request` (which parses it); `bytes` is the
   * body as read, `null` when the request has none.
   */
  constructor(
    method: string,
    readonly target: string,
    raw: readonly string[],
    address: string,
    readonly bytes: Bytes | null,
    readonly exchange: Exchange,
  ) {
    const upper = method.toUpperCase();
    this.method = NORMALIZED_METHODS.has(upper) ? upper : method;
    this.headers = new LightHeaders(raw, address);
  }

  /** The URL as a `Request` shows it: parsed and serialized (a `TypeError` when it cannot be parsed). */
  get url(): string {
    if (this.#url === null) {
      const href = new URL(this.target).href;
      // Usually the same text: keep one string of it (a held poll keeps its request).
      this.#url = href === this.target ? this.target : href;
    }
    return this.#url;
  }

  /**
   * The real request this one stands for, as the adapter makes it for any handler: made the
   * first time it is asked for, a 400 when fetch refuses it.
   */
  toRequest(): NodeRequest {
    if (this.#request !== null) return this.#request;
    try {
      const request = new NodeRequest(this.target, { method: this.method, body: this.bytes }, this.exchange);
      // Straight into the request's own headers: a `Headers` handed to the constructor is copied.
      const { headers } = request;
      const raw = this.headers.raw;
      for (let i = 0; i < raw.length; i += 2) {
        const name = raw[i] as string;
        if (name.length !== REMOTE_ADDRESS_HEADER.length || name.toLowerCase() !== REMOTE_ADDRESS_HEADER) {
          headers.append(name, raw[i + 1] as string);
        }
      }
      // Fetch-shaped handlers see no socket: the peer's address travels in a header no client can set.
      headers.append(REMOTE_ADDRESS_HEADER, this.headers.address);
      this.#request = request;
      return request;
    } catch (error) {
      throw new HttpError(400, `Cannot read this request: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/**
 * Whether the client of `request` has gone: its connection closed before the answer (a request
 * from the adapter), or its signal aborted (any other). Asks for no `AbortSignal` when the
 * adapter knows, as `request.signal.aborted` would.
 */
export function requestGone(request: AnyRequest): boolean {
  return request instanceof NodeRequest || request instanceof LightRequest
    ? request.exchange.closed
    : request.signal.aborted;
}

/**
 * When the head of `request` came (`performance.now()`), before its body was read: the adapter
 * knows; for any other request, now (a fetch-shaped server calls its handler at the head).
 */
export function arrivedAt(request: AnyRequest): number {
  return request instanceof NodeRequest || request instanceof LightRequest
    ? request.exchange.arrivedAt
    : performance.now();
}

/**
 * Calls `listener` once when the client of `request` goes (see `requestGone`), with no
 * `AbortSignal` made for a request from the adapter (a held poll would pay for one each);
 * returns a function that stops listening.
 */
export function whenGone(request: AnyRequest, listener: () => void): () => void {
  if (request instanceof NodeRequest || request instanceof LightRequest) return request.exchange.onClose(listener);
  const signal = request.signal;
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}

/**
 * What says that the client of `request` went, for `hub.send`'s `signal`: the adapter's
 * `Exchange` (no `AbortSignal` made), or the request's own signal.
 */
export function abortOf(request: AnyRequest): AbortLike {
  return request instanceof NodeRequest || request instanceof LightRequest ? request.exchange : request.signal;
}
