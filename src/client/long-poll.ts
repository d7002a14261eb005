/**
 * The browser's long-poll transport: a small state machine that connects, holds one poll at a
 * time, runs the reverse requests it receives through a fetch-shaped handler (concurrently) and
 * sends their responses on the next poll, which then becomes the held one.
 */
import { utf8 } from '../protocol/bytes.ts';
import { debug } from '../protocol/debug.ts';
import { fromResponse, toRequest } from '../protocol/fetch-convert.ts';
import { HttpError } from '../protocol/http-error.ts';
import { decodeWireRequest, encodeWireResponse } from '../protocol/json-codec.ts';
import type { ConnectReply, PollReply } from '../protocol/long-poll-wire.ts';
import { DEFAULT_ENDPOINT, MESSAGE_HTTP, SECRET_HEADER } from '../protocol/long-poll-wire.ts';
import type { ReverseRequest, ReverseResponse } from '../protocol/message.ts';
import { parseRequests, printBatch, printResponse } from '../protocol/message-http.ts';
import type { Handler } from './dom-resource.ts';

const log = debug('ptth:long-poll');

/** The states of a connection. */
export type ConnectionState = 'connecting' | 'open' | 'backoff' | 'closed';

/** Options of the long-poll transport. */
export interface LongPollOptions {
  /** Where the hub's endpoints are mounted; default `/ptth` on the page's origin. */
  endpoint?: string;
  /** Serves the reverse requests. */
  handler: Handler;
  /** The encoding of batches on the wire: JSON (default) or pipelined `message/http`. */
  wire?: 'json' | 'http';
  /** First delay after a failure; doubles up to `maxBackoffMs`, with jitter. Default 500 ms. */
  minBackoffMs?: number;
  /** Longest delay between attempts after failures. Default 30 s. */
  maxBackoffMs?: number;
  /** The page URL reported to the hub; default `location.href`. */
  url?: string;
}

/** One served reverse request, as reported by the `request` event. */
export interface RequestRecord {
  id: string;
  method: string;
  path: string;
  status: number;
  ms: number;
}

/** Event detail types, by event name. */
export interface ConnectionEvents {
  state: ConnectionState;
  error: { reason: string; error?: unknown };
  request: RequestRecord;
}

function backoffDelay(attempt: number, min: number, max: number): number {
  const ceiling = Math.min(max, min * 2 ** attempt);
  // "Equal jitter": at least half the delay, so clients restarted together spread out.
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Runs a callback as a macrotask; unlike timers, message events are not throttled in background tabs. */
function macrotask(callback: () => void): void {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    channel.port1.close();
    callback();
  };
  channel.port2.postMessage(null);
}

/** A live long-poll connection; an `EventTarget` with `state`, `error` and `request` events. */
export class Connection extends EventTarget {
  #state: ConnectionState = 'connecting';
  #id: string | null = null;
  #secret = '';
  #attempt = 0;
  #polls = 0;
  #flushQueued = false;
  #outbox: ReverseResponse[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #abort = new AbortController();
  readonly #options: Required<Omit<LongPollOptions, 'url'>> & { url: string };
  readonly #base: string;

  constructor(options: LongPollOptions) {
    super();
    this.#options = {
      endpoint: DEFAULT_ENDPOINT,
      wire: 'json',
      minBackoffMs: 500,
      maxBackoffMs: 30_000,
      url: globalThis.location?.href ?? '',
      ...options,
    };
    this.#base = this.#options.endpoint.replace(/\/+$/, '');
    this.#connect();
  }

  /** The client id the hub gave this page; `null` until connected. */
  get id(): string | null {
    return this.#id;
  }

  /** The transport's state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** Responses waiting to be sent. */
  get pending(): number {
    return this.#outbox.length;
  }

  /** Adds a typed listener; returns a function that removes it. */
  on<K extends keyof ConnectionEvents>(type: K, listener: (detail: ConnectionEvents[K]) => void): () => void {
    const wrapped = (event: Event) => listener((event as CustomEvent<ConnectionEvents[K]>).detail);
    this.addEventListener(type, wrapped);
    return () => this.removeEventListener(type, wrapped);
  }

  /** Stops polling for good; requests in flight are abandoned silently. */
  close(): void {
    if (this.#state === 'closed') return;
    clearTimeout(this.#timer);
    this.#abort.abort();
    this.#setState('closed');
  }

  #emit<K extends keyof ConnectionEvents>(type: K, detail: ConnectionEvents[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    DEBUG: log('state', state);
    this.#emit('state', state);
  }

  #fail(reason: string, error?: unknown, reconnect = false): void {
    if (this.#state === 'closed') return;
    this.#emit('error', { reason, error });
    if (reconnect) this.#id = null;
    this.#setState('backoff');
    const delay = backoffDelay(this.#attempt++, this.#options.minBackoffMs, this.#options.maxBackoffMs);
    DEBUG: log('backoff', Math.round(delay), 'ms after', reason);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => (this.#id === null ? this.#connect() : this.#poll()), delay);
  }

  async #connect(): Promise<void> {
    this.#setState('connecting');
    try {
      const response = await fetch(`${this.#base}/connect`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: this.#options.url }),
        signal: this.#abort.signal,
      });
      if (response.status !== 201) {
        return this.#fail(`connect answered ${response.status}: ${await response.text()}`, undefined, true);
      }
      const reply = (await response.json()) as ConnectReply;
      this.#id = reply.id;
      this.#secret = reply.secret;
      // Responses owed to the previous hub have no caller any more.
      this.#outbox = [];
      this.#attempt = 0;
      this.#setState('open');
      this.#poll();
    } catch (error) {
      if (!this.#abort.signal.aborted) this.#fail('connect failed', error, true);
    }
  }

  #scheduleFlush(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    // A macrotask lets every handler that finishes within microtasks join the same batch.
    macrotask(() => {
      this.#flushQueued = false;
      if (this.#state === 'open' && (this.#outbox.length > 0 || this.#polls === 0)) this.#poll();
    });
  }

  async #poll(): Promise<void> {
    if (this.#state === 'closed' || this.#id === null) return;
    if (this.#state === 'backoff') this.#setState('open');
    const responses = this.#outbox.splice(0);
    const http = this.#options.wire === 'http';
    this.#polls++;
    DEBUG: log('poll', { responses: responses.length, polls: this.#polls });
    let requests: ReverseRequest[];
    try {
      const response = await fetch(`${this.#base}/poll/${encodeURIComponent(this.#id)}`, {
        method: 'POST',
        headers: {
          [SECRET_HEADER]: this.#secret,
          'content-type': http ? MESSAGE_HTTP : 'application/json',
          accept: http ? MESSAGE_HTTP : 'application/json',
        },
        body: http
          ? printBatch(responses, printResponse)
          : JSON.stringify({ responses: responses.map(encodeWireResponse) }),
        signal: this.#abort.signal,
      });
      if (response.status === 404 || response.status === 403) {
        this.#polls--;
        return this.#fail(`poll answered ${response.status}: the hub does not know this client`, undefined, true);
      }
      if (response.status !== 200) throw new Error(`poll answered ${response.status}: ${await response.text()}`);
      requests = http
        ? parseRequests(new Uint8Array(await response.arrayBuffer()))
        : ((await response.json()) as PollReply).requests.map(decodeWireRequest);
    } catch (error) {
      this.#polls--;
      if (this.#abort.signal.aborted) return;
      // The hub may not have read these answers: send them again; it drops duplicates by id.
      this.#outbox.unshift(...responses);
      return this.#fail('poll failed', error);
    }
    this.#polls--;
    this.#attempt = 0;
    DEBUG: log('received', requests.length, 'requests');
    for (const request of requests) void this.#serve(request);
    this.#scheduleFlush();
  }

  async #serve(message: ReverseRequest): Promise<void> {
    const started = performance.now();
    let response: ReverseResponse;
    try {
      response = await fromResponse(message.id, await this.#options.handler(toRequest(message)));
    } catch (error) {
      const status = error instanceof HttpError ? error.status : error instanceof TypeError ? 400 : 500;
      const detail = error instanceof Error ? error.message : String(error);
      const problem = new HttpError(status, `The page could not serve ${message.method} ${message.path}: ${detail}`);
      response = {
        id: message.id,
        status,
        statusText: '',
        headers: [['content-type', 'application/problem+json']],
        body: utf8(JSON.stringify(problem.toJSON())),
      };
    }
    if (this.#state === 'closed') return;
    this.#outbox.push(response);
    this.#emit('request', {
      id: message.id,
      method: message.method,
      path: message.path,
      status: response.status,
      ms: performance.now() - started,
    });
    this.#scheduleFlush();
  }
}
