/**
 * The hub: registers clients, queues reverse requests per client, hands them to the client's
 * held poll, and matches the responses to their callers. `hub.fetch(clientId, request)` makes an
 * HTTP request on a client and always settles: the client's response, or a problem response
 * (404 unknown client, 413, 503 gone or queue full, 504 no answer in time).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { fromRequest, toResponse } from '../protocol/fetch-convert.ts';
import { HttpError, problem } from '../protocol/http-error.ts';
import type { ReverseResponse } from '../protocol/message.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../protocol/read-body.ts';
import type { ClientInfo, HeldPoll, PendingCall, TransportKind } from './client-session.ts';
import { ClientSession } from './client-session.ts';
import { LimitLog } from './limit-log.ts';
import { DEFAULT_LIMITS, headerLimitError, type LimitOptions } from './limits.ts';
import { RecentIds } from './recent-ids.ts';

/**
 * Tunables of a hub; every one has a default. The `LimitOptions` are applied by the gateway, the
 * long-poll endpoints and the node server the dev server runs.
 */
export interface HubOptions extends LimitOptions {
  /** Longest hold of a poll, in ms; proxies cut longer ones. Default 25 s. */
  holdMs?: number;
  /** How long `hub.fetch` waits for an answer before a 504, in ms. Default 30 s. */
  requestTimeoutMs?: number;
  /** A client with no poll held for this long is gone, in ms. Default 15 s. */
  expireMs?: number;
  /** Largest request or response body, in bytes (413 / 502 past it). Default 1 MiB. */
  maxBodyBytes?: number;
  /** Most requests queued for one client (503 past it). Default 1,000. */
  maxQueue?: number;
  /** Most clients at once (503 past it). Default 10,000. */
  maxClients?: number;
  /** Most clients from one remote address (429 past it). Default 100. */
  maxClientsPerAddress?: number;
}

/** Counters of a hub, for logs and metrics. */
export interface HubStats {
  clients: number;
  /** Connects refused because of `maxClients` or `maxClientsPerAddress`. */
  refusedConnects: number;
  /** Answers that came again, or late, for a request this client was sent: harmless. */
  droppedResponses: number;
  /** Answers naming a request this client was never sent (another client's, or none): never settle anything. */
  rejectedResponses: number;
  /** Refusals by a limit or an access rule, by option (see `hub.limits`). */
  limited: Record<string, number>;
}

/** Per-call options of `hub.fetch`. */
export interface HubFetchOptions {
  /** Aborting rejects with the signal's reason; a request not yet delivered is then never run. */
  signal?: AbortSignal;
  /** Overrides `requestTimeoutMs` for this call. */
  timeoutMs?: number;
}

/** Events of a hub: `connect` and `disconnect` with the client's info. */
export interface HubEvents {
  connect: [ClientInfo];
  disconnect: [ClientInfo, string];
  /** A connect refused by a limit: the remote address and why. */
  refused: [string, string];
  /** Answers a client gave for requests it was never sent: the client id and what was wrong. */
  rejected: [string, string];
}

/** A 503 with `Retry-After`, as every 503 of the hub is. */
function unavailable(detail: string, clientId: string, retryAfter = 5): Response {
  return new HttpError(503, detail, {
    headers: { 'retry-after': String(retryAfter) },
    extensions: { client: clientId },
  }).toResponse();
}

/** How a client registers: the page, and optionally the id and secret it asks to keep. */
export interface ClientRegistration {
  url: string;
  userAgent?: string;
  transport?: TransportKind;
  dom?: boolean;
  id?: string | undefined;
  secret?: string | undefined;
  instance?: string;
  /** The remote address, for `maxClientsPerAddress`. */
  address?: string;
}

/** The shape of ids and secrets: 128 bits in base64url. */
const TOKEN = /^[A-Za-z0-9_-]{22}$/;
/** A client that polled within this many milliseconds is in use by a live page. */
const LIVE_MS = 500;

/** Compares two tokens in constant time. */
export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** 128 random bits, base64url: ids and secrets that cannot be guessed. */
export function randomToken(): string {
  return randomBytes(16).toString('base64url');
}

/** The hub of one server; see the module comment. */
export class Hub extends EventEmitter<HubEvents> {
  readonly options: Required<HubOptions>;
  readonly #sessions = new Map<string, ClientSession>();
  readonly #sweeper: ReturnType<typeof setInterval>;
  readonly #idPrefix = randomBytes(3).toString('base64url');
  #seq = 0;
  #refused = 0;
  #dropped = 0;
  // Issue 5: telling late duplicates from foreign answers, and counting refusals by limits.
  #rejected = 0;
  readonly #finished = new WeakMap<ClientSession, RecentIds>();
  /** Refusals by the limits and access rules, counted by option, with a `limited` event. */
  readonly limits = new LimitLog();
  readonly #perAddress = new Map<string, number>();
  #closed = false;

  constructor(options: HubOptions = {}) {
    super();
    this.options = {
      holdMs: 25_000,
      requestTimeoutMs: 30_000,
      expireMs: 15_000,
      maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
      maxQueue: 1_000,
      maxClients: 10_000,
      maxClientsPerAddress: 100,
      ...DEFAULT_LIMITS,
      ...options,
    };
    this.#sweeper = setInterval(() => this.#sweep(), Math.max(50, Math.min(1_000, this.options.expireMs / 4)));
    this.#sweeper.unref();
  }

  /** Registers a new client and returns its session (id and secret inside; given ones are kept). */
  register(client: ClientRegistration): ClientSession {
    if (this.#closed) throw new HttpError(503, 'The hub is closed');
    if (client.id !== undefined && this.#sessions.has(client.id)) {
      throw new HttpError(409, `Client id "${client.id}" is already registered`);
    }
    this.#admit(client.address ?? '');
    const session = new ClientSession(
      client.id ?? randomToken(),
      client.secret ?? randomToken(),
      client.url,
      client.userAgent ?? '',
      client.transport ?? 'long-poll',
      client.dom ?? false,
    );
    session.instance = client.instance ?? '';
    session.address = client.address ?? '';
    this.#perAddress.set(session.address, (this.#perAddress.get(session.address) ?? 0) + 1);
    this.#sessions.set(session.id, session);
    this.emit('connect', session.info());
    return session;
  }

  /**
   * A page connects, maybe asking for the id its tab had. It keeps that id when the hub does not
   * know it (after a restart) or when its secret matches and no other page load is using it
   * (a reload); otherwise (a duplicated tab) it gets a new one. On a reload, calls delivered to
   * the earlier page load are answered 503, since it may or may not have run them.
   */
  connect(client: ClientRegistration): { session: ClientSession; resumed: boolean } {
    const { id, secret } = client;
    if (id === undefined || secret === undefined || !TOKEN.test(id) || !TOKEN.test(secret)) {
      return { session: this.register({ ...client, id: undefined, secret: undefined }), resumed: false };
    }
    const existing = this.#sessions.get(id);
    if (!existing) return { session: this.register(client), resumed: true };
    const idle = existing.poll === null && existing.idleSince !== null && Date.now() - existing.idleSince > LIVE_MS;
    if (!sameToken(existing.secret, secret) || !idle) {
      return { session: this.register({ ...client, id: undefined, secret: undefined }), resumed: false };
    }
    existing.url = client.url;
    existing.dom = client.dom ?? false;
    existing.instance = client.instance ?? '';
    for (const call of Array.from(existing.calls.values())) {
      if (!call.delivered) continue;
      call.settle(
        new HttpError(503, `Client "${id}" reloaded before answering ${call.request.method} ${call.request.path}`, {
          headers: { 'retry-after': '1' },
          extensions: { client: id },
        }).toResponse(),
      );
    }
    return { session: existing, resumed: true };
  }

  /** The session of a client id, if it is connected. */
  session(id: string): ClientSession | undefined {
    return this.#sessions.get(id);
  }

  /** The connected clients, oldest first. */
  clients(): ClientInfo[] {
    return Array.from(this.#sessions.values(), (session) => session.info());
  }

  /** Makes `request` on client `clientId`; see the module comment for what it settles with. */
  async fetch(clientId: string, request: Request, options: HubFetchOptions = {}): Promise<Response> {
    const { signal } = options;
    signal?.throwIfAborted();
    const tooManyHeaders = headerLimitError(request.headers, this.options, `The request to client "${clientId}"`);
    if (tooManyHeaders) return this.limits.refuse(tooManyHeaders, clientId);
    if (this.#closed) return unavailable('The hub is closed', clientId);
    const session = this.#sessions.get(clientId);
    if (!session) return problem(404, `No client with id "${clientId}" is connected`, { client: clientId });
    if (session.queue.length >= this.options.maxQueue) {
      return new HttpError(503, `Client "${clientId}" has ${session.queue.length} requests queued, the limit`, {
        headers: { 'retry-after': '1' },
      }).toResponse();
    }
    let message: Awaited<ReturnType<typeof fromRequest>>;
    try {
      // Bodies are read one after another per client, so the queue keeps the order of the calls.
      const read = session.admission.then(() => fromRequest(this.#nextId(), request, this.options.maxBodyBytes));
      session.admission = read.catch(() => undefined);
      message = await read;
    } catch (error) {
      if (error instanceof HttpError) return error.toResponse();
      throw error;
    }
    signal?.throwIfAborted();
    // Reading the body took time: the client may be gone or its queue full by now.
    if (this.#closed || this.#sessions.get(clientId) !== session) {
      return unavailable(`Client "${clientId}" went away while the request was being read`, clientId);
    }
    if (session.queue.length >= this.options.maxQueue) {
      return new HttpError(503, `Client "${clientId}" has ${session.queue.length} requests queued, the limit`, {
        headers: { 'retry-after': '1' },
      }).toResponse();
    }
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs;
    const what = `${message.method} ${message.path}`;
    return new Promise<Response>((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        session.calls.delete(message.id);
        session.unqueue(message.id);
        if (call.delivered) this.#finishedOf(session).add(message.id);
      };
      const onAbort = () => {
        finish();
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        const state = call.delivered ? 'it was delivered but not answered' : 'it was never delivered (no poll)';
        const detail = `Client "${clientId}" did not answer ${what} within ${timeoutMs} ms: ${state}`;
        call.settle(problem(504, detail, { client: clientId }));
      }, timeoutMs);
      const call: PendingCall = {
        request: message,
        delivered: false,
        settle: (response) => {
          finish();
          resolve(response instanceof Response ? response : this.#toResponse(clientId, what, response));
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      session.calls.set(message.id, call);
      session.queue.push(message);
      session.flush();
    });
  }

  /**
   * A client's poll arrived: supersede the one it held, then deliver queued work or hold.
   * `retry` (with the client's `ack`) asks again for requests that may have been lost.
   */
  attachPoll(session: ClientSession, poll: HeldPoll, delivery: { ack?: number; retry?: boolean } = {}): void {
    if (this.#sessions.get(session.id) !== session) {
      poll.deliver([]);
      return;
    }
    if (delivery.retry) session.redeliver(delivery.ack ?? 0);
    const previous = session.poll;
    if (previous !== null) {
      session.release();
      previous.deliver([]);
    }
    session.poll = poll;
    session.idleSince = null;
    if (session.flush()) return;
    session.holdTimer = setTimeout(() => {
      if (session.poll !== poll) return;
      session.release();
      poll.deliver([]);
    }, this.options.holdMs);
  }

  /** A held poll's connection closed before it was answered. */
  detachPoll(session: ClientSession, poll: HeldPoll): void {
    if (session.poll === poll) session.release();
  }

  /**
   * Responses from a client. Duplicates and late answers to its own requests are dropped; answers
   * naming a request it was never sent are rejected (counted, and a `rejected` event).
   */
  receive(session: ClientSession, responses: readonly ReverseResponse[]): void {
    const foreign: string[] = [];
    for (const response of responses) {
      const call = session.calls.get(response.id);
      if (call) call.settle(response);
      else if (this.#finished.get(session)?.has(response.id)) this.#dropped++;
      else foreign.push(response.id);
    }
    if (foreign.length > 0) this.#reject(session.id, foreign);
  }

  /** The hub's counters. */
  stats(): HubStats {
    return {
      clients: this.#sessions.size,
      refusedConnects: this.#refused,
      droppedResponses: this.#dropped,
      rejectedResponses: this.#rejected,
      limited: this.limits.counts(),
    };
  }

  #finishedOf(session: ClientSession): RecentIds {
    const finished = this.#finished.get(session) ?? new RecentIds(this.#idPrefix);
    this.#finished.set(session, finished);
    return finished;
  }

  #reject(clientId: string, ids: string[]): void {
    this.#rejected += ids.length;
    const named = ids
      .slice(0, 3)
      .map((id) => JSON.stringify(id.slice(0, 64)))
      .join(', ');
    const more = ids.length > 3 ? ` and ${ids.length - 3} more` : '';
    this.emit('rejected', clientId, `Client "${clientId}" answered requests it was never sent: ${named}${more}`);
  }

  /** Refuses a new client past the limits, with a clear error and a `refused` event. */
  #admit(address: string): void {
    const refuse = (status: number, detail: string) => {
      this.#refused++;
      this.emit('refused', address, detail);
      throw new HttpError(status, detail, { headers: { 'retry-after': '10' } });
    };
    if (this.#sessions.size >= this.options.maxClients) {
      refuse(503, `The hub has ${this.#sessions.size} clients, its limit (maxClients)`);
    }
    if (address !== '' && (this.#perAddress.get(address) ?? 0) >= this.options.maxClientsPerAddress) {
      refuse(
        429,
        `Address ${address} has ${this.options.maxClientsPerAddress} clients, the limit (maxClientsPerAddress)`,
      );
    }
  }

  /** Forgets a client; its callers get 503. */
  expire(id: string, reason: string): void {
    const session = this.#sessions.get(id);
    if (!session) return;
    this.#sessions.delete(id);
    const left = (this.#perAddress.get(session.address) ?? 1) - 1;
    if (left > 0) this.#perAddress.set(session.address, left);
    else this.#perAddress.delete(session.address);
    const poll = session.poll;
    session.release();
    poll?.deliver([]);
    for (const call of Array.from(session.calls.values())) {
      call.settle(
        new HttpError(
          503,
          `Client "${id}" is gone (${reason}) before answering ${call.request.method} ${call.request.path}`,
          {
            headers: { 'retry-after': '5' },
            extensions: { client: id },
          },
        ).toResponse(),
      );
    }
    this.emit('disconnect', session.info(), reason);
  }

  /** Closes the hub: held polls are answered, every pending call settles with 503. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweeper);
    for (const id of Array.from(this.#sessions.keys())) this.expire(id, 'the hub closed');
  }

  #nextId(): string {
    return `${this.#idPrefix}.${(++this.#seq).toString(36)}`;
  }

  #sweep(): void {
    const deadline = Date.now() - this.options.expireMs;
    for (const session of Array.from(this.#sessions.values())) {
      if (session.idleSince !== null && session.idleSince < deadline) {
        this.expire(session.id, `no poll for ${this.options.expireMs} ms`);
      }
    }
  }

  #toResponse(clientId: string, what: string, response: ReverseResponse): Response {
    const bad = (detail: string) =>
      problem(502, `Client "${clientId}" answered ${what} with ${detail}`, { client: clientId });
    if (response.body !== null && response.body.length > this.options.maxBodyBytes) {
      return bad(`a body of ${response.body.length} bytes, over the limit of ${this.options.maxBodyBytes}`);
    }
    if (response.status < 200) return bad(`status ${response.status}, which a response cannot have here`);
    try {
      return toResponse(response);
    } catch (error) {
      return bad(`a malformed response: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
