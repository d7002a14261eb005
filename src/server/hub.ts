/**
 * The hub: registers clients, queues reverse requests per client, hands them to the client's
 * held poll, and matches the responses to their callers. `hub.fetch(clientId, request)` makes an
 * HTTP request on a client and always settles: the client's response, or a problem response
 * (404 unknown client, 413, 503 gone or queue full, 504 no answer in time). Its state sits in a
 * `HubStore` (hub-store.ts); held polls, timers and callers stay in this process.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { BufferedResponse } from '../protocol/buffered-response.ts';
import { fromRequest, headerList, isNullBodyStatus, pathAndQuery } from '../protocol/fetch-convert.ts';
import { HttpError, problem } from '../protocol/http-error.ts';
import type { ReverseRequest, ReverseResponse } from '../protocol/message.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../protocol/read-body.ts';
import type { ClientInfo, HeldPoll } from './client-session.ts';
import { ClientSession } from './client-session.ts';
import { DeadlineQueue } from './deadline-queue.ts';
import { type ClientRecord, type HubStore, MemoryStore, type TransportKind, type Unanswered } from './hub-store.ts';
import { LimitLog } from './limit-log.ts';
import { DEFAULT_LIMITS, headerLimitError, type LimitOptions } from './limits.ts';
import { type AbortLike, type CallAnswer, type CallOwner, PendingCall, throwIfAborted } from './pending-call.ts';
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
  /** Where clients, queues and requests in flight are kept. Default a `MemoryStore`. */
  store?: HubStore;
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
  /** Callers in this process waiting for an answer. */
  pendingCalls: number;
}

/** Per-call options of `hub.fetch`. */
export interface HubFetchOptions {
  /**
   * Aborting rejects with the signal's reason; a request not yet delivered is then never run.
   * Anything shaped like a signal will do (`AbortLike`), such as the node adapter's `Exchange`.
   */
  signal?: AbortSignal | AbortLike;
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

/** Random bytes drawn 4 KiB at a time: one call to the system's generator per 256 tokens, not per token. */
let tokenPool = Buffer.alloc(0);
let tokenOffset = 0;

/** 128 random bits, base64url: ids and secrets that cannot be guessed. */
export function randomToken(): string {
  if (tokenOffset + 16 > tokenPool.length) {
    tokenPool = randomBytes(4_096);
    tokenOffset = 0;
  }
  tokenOffset += 16;
  return tokenPool.toString('base64url', tokenOffset - 16, tokenOffset);
}

/** The hub of one server; see the module comment. */
export class Hub extends EventEmitter<HubEvents> {
  readonly options: Required<Omit<HubOptions, 'store'>>;
  /** Clients, queues and requests in flight. */
  readonly store: HubStore;
  /** This process's view of the clients: held polls and timers live here. */
  readonly #sessions = new Map<string, ClientSession>();
  /** Callers in this process, by request id. */
  readonly #calls = new Map<string, PendingCall>();
  readonly #sweeper: ReturnType<typeof setInterval>;
  /** The held polls, by when their hold runs out: one timer for all of them. */
  readonly #holds: DeadlineQueue<ClientSession>;
  readonly #idPrefix = randomBytes(3).toString('base64url');
  #seq = 0;
  #refused = 0;
  #dropped = 0;
  // Issue 5: telling late duplicates from foreign answers, and counting refusals by limits.
  #rejected = 0;
  readonly #finished = new WeakMap<ClientSession, RecentIds>();
  /** Problems the transports made in place of a page's answer: exempt from the page's limits. */
  readonly #ourProblems = new WeakSet<ReverseResponse>();
  /** Refusals by the limits and access rules, counted by option, with a `limited` event. */
  readonly limits = new LimitLog();
  #closed = false;

  constructor(options: HubOptions = {}) {
    super();
    const { store, ...rest } = options;
    this.store = store ?? new MemoryStore();
    this.options = {
      holdMs: 25_000,
      requestTimeoutMs: 30_000,
      expireMs: 15_000,
      maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
      maxQueue: 1_000,
      maxClients: 10_000,
      maxClientsPerAddress: 100,
      ...DEFAULT_LIMITS,
      ...rest,
    };
    this.#holds = new DeadlineQueue<ClientSession>(this.options.holdMs, (session) => {
      const poll = session.poll;
      if (poll === null) return;
      this.#release(session);
      poll.deliver([]);
    });
    this.#sweeper = setInterval(() => this.#sweep(), Math.max(50, Math.min(1_000, this.options.expireMs / 4)));
    this.#sweeper.unref();
  }

  /** Registers a new client and returns its session (id and secret inside; given ones are kept). */
  async register(client: ClientRegistration): Promise<ClientSession> {
    if (this.#closed) throw new HttpError(503, 'The hub is closed');
    if (client.id !== undefined && (this.#sessions.has(client.id) || (await this.store.getClient(client.id)))) {
      throw new HttpError(409, `Client id "${client.id}" is already registered`);
    }
    const address = client.address ?? '';
    await this.#admit(address);
    const record: ClientRecord = {
      id: client.id ?? randomToken(),
      secret: client.secret ?? randomToken(),
      url: client.url,
      userAgent: client.userAgent ?? '',
      transport: client.transport ?? 'long-poll',
      dom: client.dom ?? false,
      connectedAt: new Date().toISOString(),
      instance: client.instance ?? '',
      address,
      idleSince: Date.now(),
    };
    await this.store.addClient(record);
    const session = new ClientSession(record);
    this.#sessions.set(record.id, session);
    this.emit('connect', session.info());
    return session;
  }

  /**
   * A page connects, maybe asking for the id its tab had. It keeps that id when the hub does not
   * know it (after a restart) or when its secret matches and no other page load is using it
   * (a reload); otherwise (a duplicated tab) it gets a new one. On a reload, calls delivered to
   * the earlier page load are answered 503, since it may or may not have run them. `ack` is the
   * last sequence number the id was given: the page's acknowledgements start there.
   */
  async connect(client: ClientRegistration): Promise<{ session: ClientSession; resumed: boolean; ack: number }> {
    const { id, secret } = client;
    const fresh = async () => {
      const session = await this.register({ ...client, id: undefined, secret: undefined });
      return { session, resumed: false, ack: 0 };
    };
    if (id === undefined || secret === undefined || !TOKEN.test(id) || !TOKEN.test(secret)) return fresh();
    const existing = await this.lookup(id);
    if (!existing) return { session: await this.register(client), resumed: true, ack: 0 };
    const { idleSince } = existing.record;
    const idle = existing.poll === null && idleSince !== null && Date.now() - idleSince > LIVE_MS;
    if (!sameToken(existing.secret, secret) || !idle) return fresh();
    const changes = { url: client.url, dom: client.dom ?? false, instance: client.instance ?? '' };
    Object.assign(existing.record, changes);
    await this.store.updateClient(id, changes);
    for (const { request, delivered } of await this.store.unanswered(id)) {
      if (!delivered) continue;
      this.#calls.get(request.id)?.settle(
        new HttpError(503, `Client "${id}" reloaded before answering ${request.method} ${request.path}`, {
          headers: { 'retry-after': '1' },
          extensions: { client: id },
        }).toResponse(),
      );
    }
    return { session: existing, resumed: true, ack: await this.store.lastSeq(id) };
  }

  /** The session of a client id known to this process, if it is connected. */
  session(id: string): ClientSession | undefined {
    return this.#sessions.get(id);
  }

  /** The session of a client id, from this process or from the store. */
  async lookup(id: string): Promise<ClientSession | undefined> {
    const known = this.#sessions.get(id);
    if (known || this.#closed) return known;
    const record = await this.store.getClient(id);
    if (!record) return undefined;
    const session = this.#sessions.get(id) ?? new ClientSession(record);
    this.#sessions.set(id, session);
    return session;
  }

  /** The connected clients this process knows, oldest first. */
  clients(): ClientInfo[] {
    return Array.from(this.#sessions.values(), (session) => session.info());
  }

  /** The request of a call waiting in this process, by request id (a HEAD's answer has no body). */
  pendingRequest(requestId: string): ReverseRequest | undefined {
    return this.#calls.get(requestId)?.request;
  }

  /** Makes `request` on client `clientId`; see the module comment for what it settles with. */
  async fetch(clientId: string, request: Request, options: HubFetchOptions = {}): Promise<Response> {
    const { signal } = options;
    throwIfAborted(signal);
    const headers = headerList(request.headers);
    const tooManyHeaders = headerLimitError(headers, this.options, `The request to client "${clientId}"`);
    if (tooManyHeaders) return this.limits.refuse(tooManyHeaders, clientId);
    if (this.#closed) return unavailable('The hub is closed', clientId);
    const session = this.#sessions.get(clientId) ?? (await this.lookup(clientId));
    if (!session) return problem(404, `No client with id "${clientId}" is connected`, { client: clientId });
    let message: ReverseRequest;
    if (request.body === null && session.reading === 0) {
      // Nothing to read and nothing read before it: the message is ready now, in call order.
      const { path, query } = pathAndQuery(request.url);
      message = { id: this.#nextId(), method: request.method, path, query, headers, body: null };
    } else {
      try {
        message = await this.#afterReads(session, () =>
          fromRequest(this.#nextId(), request, this.options.maxBodyBytes),
        );
      } catch (error) {
        if (error instanceof HttpError) return error.toResponse();
        throw error;
      }
      throwIfAborted(signal);
      // Reading the body took time: the client may be gone by now.
      if (this.#closed || this.#sessions.get(clientId) !== session) {
        return unavailable(`Client "${clientId}" went away while the request was being read`, clientId);
      }
    }
    const answer = await this.#send(session, message, signal, options.timeoutMs);
    return answer instanceof Response ? answer : this.#toResponse(clientId, message, answer);
  }

  /**
   * `fetch` for a caller that has the request as a message already (the gateway: its body read,
   * its headers filtered), with no `Request` made on the way: the client's answer as a message
   * (checked as `fetch` checks it, see `answerProblem`) or a problem response. The hub numbers
   * the message; `id` and `seq` are ignored. Header limits are the caller's to check.
   */
  async send(
    clientId: string,
    request: Omit<ReverseRequest, 'id' | 'seq'>,
    options: HubFetchOptions = {},
  ): Promise<ReverseResponse | Response> {
    const { signal } = options;
    throwIfAborted(signal);
    if (this.#closed) return unavailable('The hub is closed', clientId);
    const session = this.#sessions.get(clientId) ?? (await this.lookup(clientId));
    if (!session) return problem(404, `No client with id "${clientId}" is connected`, { client: clientId });
    const { method, path, query, headers, body } = request;
    const make = (): ReverseRequest => ({ id: this.#nextId(), method, path, query, headers, body });
    // Keeps call order behind bodies that earlier calls are still reading.
    const message = session.reading === 0 ? make() : await this.#afterReads(session, make);
    if (this.#closed || this.#sessions.get(clientId) !== session) {
      return unavailable(`Client "${clientId}" went away while the request was being read`, clientId);
    }
    const answer = await this.#send(session, message, signal, options.timeoutMs);
    if (answer instanceof Response) return answer;
    return this.answerProblem(clientId, message, answer) ?? answer;
  }

  /**
   * The 502 for a client's answer that cannot go to its caller (a body over `maxBodyBytes`, a
   * status below 200), or `null` when it can. `malformed` words the 502 for an answer whose
   * headers or status a `Response` refused.
   */
  answerProblem(
    clientId: string,
    request: Pick<ReverseRequest, 'method' | 'path'>,
    response: ReverseResponse,
    malformed?: unknown,
  ): Response | null {
    const bad = (detail: string) =>
      problem(502, `Client "${clientId}" answered ${request.method} ${request.path} with ${detail}`, {
        client: clientId,
      });
    if (malformed !== undefined) {
      return bad(`a malformed response: ${malformed instanceof Error ? malformed.message : String(malformed)}`);
    }
    const ours = this.#ourProblems.has(response);
    if (!ours && response.body !== null && response.body.length > this.options.maxBodyBytes) {
      return bad(`a body of ${response.body.length} bytes, over the limit of ${this.options.maxBodyBytes}`);
    }
    if (response.status < 200) return bad(`status ${response.status}, which a response cannot have here`);
    return null;
  }

  /** Runs `read` after the body reads of earlier calls of this client (the queue keeps call order). */
  #afterReads<T>(session: ClientSession, read: () => T | Promise<T>): Promise<T> {
    session.reading++;
    const done = session.admission.then(read);
    session.admission = done.then(
      () => session.reading--,
      () => session.reading--,
    );
    return done;
  }

  /** Queues `message` for its client and waits for the answer (or a problem, or the signal's reason). */
  #send(
    session: ClientSession,
    message: ReverseRequest,
    signal: AbortLike | undefined,
    timeoutMs = this.options.requestTimeoutMs,
  ): Promise<CallAnswer> {
    const call = new PendingCall(this.#owner, session, message, timeoutMs, signal);
    session.pending++;
    this.#calls.set(message.id, call);
    const queued = this.store.enqueue(session.id, message, this.options.maxQueue);
    if (!(queued instanceof Promise)) {
      this.#queued(call, queued);
      return call.promise;
    }
    return queued.then((done) => {
      this.#queued(call, done);
      return call.promise;
    });
  }

  /** After the store queued a call's request (or refused it): hand it over, refuse it, or take it back. */
  #queued(call: PendingCall, queued: boolean): void {
    const { session, request } = call;
    if (call.over) {
      // Settled meanwhile (aborted, timed out, the client went): it must not wait in the queue.
      if (queued) void this.store.settle(session.id, request.id);
    } else if (!queued) {
      const { maxQueue } = this.options;
      const full = new HttpError(503, `Client "${session.id}" has ${maxQueue} requests queued, the limit (maxQueue)`, {
        headers: { 'retry-after': '1' },
        extensions: { client: session.id, option: 'maxQueue', limit: maxQueue },
      });
      call.settle(this.limits.refuse(full, session.id));
    } else this.#handOverLater(session);
  }

  /** The hub's side of its calls: forgetting them, and the 504 of one that timed out. */
  readonly #owner: CallOwner = {
    finished: (call) => {
      const { session, request } = call;
      this.#calls.delete(request.id);
      session.pending--;
      // A request not delivered yet is never sent now; one delivered is not sent again.
      const settled = this.store.settle(session.id, request.id);
      // A late answer to a delivered request is a harmless duplicate, not a foreign answer.
      if (settled instanceof Promise) {
        void settled.then((entry) => entry?.delivered && this.#finishedOf(session).add(request.id));
      } else if (settled?.delivered) this.#finishedOf(session).add(request.id);
      return settled;
    },
    timedOut: (call, entry) => {
      const { clientId, request, timeoutMs } = call;
      const delivered = (entry as Unanswered | undefined)?.delivered;
      const state = delivered ? 'it was delivered but not answered' : 'it was never delivered (no poll)';
      const detail = `Client "${clientId}" did not answer ${request.method} ${request.path} within ${timeoutMs} ms: ${state}`;
      return problem(504, detail, { client: clientId });
    },
  };

  /**
   * A client's poll arrived: supersede the one it held, then deliver queued work or hold.
   * `retry` (with the client's `ack`) asks again for requests that may have been lost.
   */
  async attachPoll(
    session: ClientSession,
    poll: HeldPoll,
    delivery: { ack?: number; retry?: boolean } = {},
  ): Promise<void> {
    if (this.#sessions.get(session.id) !== session) {
      poll.deliver([]);
      return;
    }
    const previous = session.poll;
    if (previous !== null) {
      this.#release(session);
      previous.deliver([]);
    }
    session.poll = poll;
    session.record.idleSince = null;
    void this.store.updateClient(session.id, { idleSince: null });
    this.#holds.add(session);
    if (delivery.retry) await this.#serially(session, () => this.store.redeliver(session.id, delivery.ack ?? 0));
    this.#handOverSoon(session);
    // Resolves once that hand-over is done: it runs first among the ticks queued from here.
    await new Promise<void>((resolve) => process.nextTick(resolve));
    await session.handover;
  }

  /** A held poll's connection closed before it was answered. */
  detachPoll(session: ClientSession, poll: HeldPoll): void {
    if (session.poll === poll) this.#release(session);
  }

  /**
   * Responses from a client. Duplicates and late answers to its own requests are dropped; answers
   * naming a request it was never sent are rejected (counted, and a `rejected` event).
   */
  async receive(session: ClientSession, responses: readonly ReverseResponse[]): Promise<void> {
    const foreign: string[] = [];
    for (const response of responses) {
      const call = this.#calls.get(response.id);
      if (call && call.clientId === session.id) {
        this.#finishedOf(session).add(response.id);
        call.settle(response);
      } else if (!call && this.#finished.get(session)?.has(response.id)) this.#dropped++;
      else foreign.push(response.id);
    }
    if (foreign.length > 0) this.#reject(session.id, foreign);
  }

  /** A problem to give the caller of request `id` in place of its client's answer (e.g. over a limit). */
  problemAnswer(id: string, error: HttpError): ReverseResponse {
    const answer: ReverseResponse = {
      id,
      status: error.status,
      statusText: '',
      headers: [['content-type', 'application/problem+json']],
      body: new TextEncoder().encode(JSON.stringify(error.toJSON())),
    };
    this.#ourProblems.add(answer);
    return answer;
  }

  /** The hub's counters. */
  stats(): HubStats {
    return {
      clients: this.#sessions.size,
      refusedConnects: this.#refused,
      droppedResponses: this.#dropped,
      rejectedResponses: this.#rejected,
      limited: this.limits.counts(),
      pendingCalls: this.#calls.size,
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

  /** Forgets a client; its callers get 503. */
  async expire(id: string, reason: string): Promise<void> {
    const session = this.#sessions.get(id);
    if (!session) return;
    this.#sessions.delete(id);
    const poll = session.poll;
    this.#release(session);
    poll?.deliver([]);
    for (const call of Array.from(this.#calls.values())) {
      if (call.clientId !== id) continue;
      const { method, path } = call.request;
      call.settle(
        new HttpError(503, `Client "${id}" is gone (${reason}) before answering ${method} ${path}`, {
          headers: { 'retry-after': '5' },
          extensions: { client: id },
        }).toResponse(),
      );
    }
    this.emit('disconnect', session.info(), reason);
    await this.store.removeClient(id);
  }

  /** Closes the hub: held polls are answered, every pending call settles with 503. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweeper);
    for (const id of Array.from(this.#sessions.keys())) void this.expire(id, 'the hub closed');
    this.#holds.stop();
  }

  /**
   * Runs store steps of one client one at a time, in order: at once when none is running (and
   * then synchronously, when the store answers synchronously), else after the running ones.
   */
  #serially<T>(session: ClientSession, step: () => Promise<T> | T): Promise<T> | T {
    if (session.steps === 0) {
      let result: Promise<T> | T;
      try {
        result = step();
      } catch (error) {
        return Promise.reject(error);
      }
      return result instanceof Promise ? this.#track(session, result) : result;
    }
    return this.#track(session, session.handover.then(step));
  }

  #track<T>(session: ClientSession, done: Promise<T>): Promise<T> {
    session.steps++;
    const over = () => {
      session.steps--;
    };
    session.handover = done.then(over, over);
    return done;
  }

  /**
   * Hands the queue over once the work of this moment is queued: after the microtasks running
   * now (process.nextTick), so callers woken by one batch of answers send their next requests
   * together, in one batch, and a poll arriving with answers takes what they queue.
   */
  #handOverSoon(session: ClientSession): void {
    if (session.handOverSoon) return;
    session.handOverSoon = true;
    process.nextTick(() => {
      session.handOverSoon = false;
      void this.#handOver(session);
    });
  }

  /**
   * Hands the queue over once this turn of the event loop has read its input (setImmediate):
   * requests that callers on many connections send at once (the gateway's) go as one batch, not
   * one per connection. A poll that arrives hands over sooner (`#handOverSoon`).
   */
  #handOverLater(session: ClientSession): void {
    if (session.handOverLater) return;
    session.handOverLater = true;
    setImmediate(() => {
      session.handOverLater = false;
      void this.#handOver(session);
    });
  }

  /** Hands every queued request to the held poll, if there is one; returns whether it did. */
  #handOver(session: ClientSession): Promise<boolean> | boolean {
    if (session.poll === null && session.steps === 0) return false;
    return this.#serially(session, () => {
      const poll = session.poll;
      if (poll === null) return false;
      const batch = this.store.take(session.id);
      return batch instanceof Promise
        ? batch.then((taken) => this.#deliver(session, poll, taken))
        : this.#deliver(session, poll, batch);
    });
  }

  /** Gives a batch the store handed out to `poll`; one that cannot take it goes back to the queue. */
  #deliver(session: ClientSession, poll: HeldPoll, batch: ReverseRequest[]): Promise<boolean> | boolean {
    if (batch.length === 0) return false;
    // The poll was answered or closed while the store worked: keep the batch for the next one.
    if (session.poll === poll) {
      this.#release(session);
      if (poll.deliver(batch) !== false) return true;
    }
    const restored = this.store.restore(session.id, batch);
    return restored instanceof Promise ? restored.then(() => false) : false;
  }

  /** Forgets the held poll (answered, superseded or closed) and starts the idle clock. */
  #release(session: ClientSession): void {
    this.#holds.delete(session);
    session.poll = null;
    session.record.idleSince = Date.now();
    void this.store.updateClient(session.id, { idleSince: session.record.idleSince });
  }

  /** Refuses a new client past the limits, with a clear error and a `refused` event. */
  async #admit(address: string): Promise<void> {
    const refuse = (status: number, detail: string) => {
      this.#refused++;
      this.emit('refused', address, detail);
      throw new HttpError(status, detail, { headers: { 'retry-after': '10' } });
    };
    const clients = await this.store.countClients();
    if (clients >= this.options.maxClients) refuse(503, `The hub has ${clients} clients, its limit (maxClients)`);
    if (address !== '' && (await this.store.countClients(address)) >= this.options.maxClientsPerAddress) {
      refuse(
        429,
        `Address ${address} has ${this.options.maxClientsPerAddress} clients, the limit (maxClientsPerAddress)`,
      );
    }
  }

  #nextId(): string {
    return `${this.#idPrefix}.${(++this.#seq).toString(36)}`;
  }

  async #sweep(): Promise<void> {
    const deadline = Date.now() - this.options.expireMs;
    for (const record of await this.store.listClients()) {
      if (record.idleSince !== null && record.idleSince < deadline) {
        const session = this.#sessions.get(record.id);
        // A poll held here is fresher than the store's copy.
        if (session?.poll) continue;
        if (session) await this.expire(record.id, `no poll for ${this.options.expireMs} ms`);
        else await this.store.removeClient(record.id);
      }
    }
  }

  #toResponse(clientId: string, request: ReverseRequest, response: ReverseResponse): Response {
    const refused = this.answerProblem(clientId, request, response);
    if (refused) return refused;
    try {
      // The caller gets the bytes as they came, with no stream unless it asks for one.
      const body = isNullBodyStatus(response.status) ? null : response.body;
      const { status, statusText, headers } = response;
      return new BufferedResponse(body, { status, statusText, headers });
    } catch (error) {
      return this.answerProblem(clientId, request, response, error) as Response;
    }
  }
}
