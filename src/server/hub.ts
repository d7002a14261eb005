/**
 * The hub: registers clients, queues reverse requests per client, hands them to the client's
 * held poll, and matches the responses to their callers. `hub.fetch(clientId, request)` makes an
 * HTTP request on a client and always settles: the client's response, or a problem response
 * (404 unknown client, 413, 503 gone or queue full, 504 no answer in time). Its state sits in a
 * `HubStore` (hub-store.ts); held polls, timers and callers stay in this process: the calls in
 * `HubCalls` (hub-calls.ts), the held polls and hand-overs in `Delivery` (hub-delivery.ts), the
 * checks of answers in `AnswerCheck` (hub-answers.ts). Its types are in hub-types.ts.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { fromRequest, headerList, pathAndQuery } from '../protocol/fetch-convert.ts';
import { HttpError, problem } from '../protocol/http-error.ts';
import type { HeaderList, ReverseRequest, ReverseResponse } from '../protocol/message.ts';
import type { ClientInfo, HeldPoll } from './client-session.ts';
import { ClientSession } from './client-session.ts';
import { AnswerCheck, unavailable } from './hub-answers.ts';
import { HubCalls } from './hub-calls.ts';
import { Delivery } from './hub-delivery.ts';
import { callOf, type PlainCall } from './hub-input.ts';
import { type ClientRecord, type HubStore, MemoryStore } from './hub-store.ts';
import {
  type ClientRegistration,
  type HubEvents,
  type HubFetchInit,
  type HubFetchOptions,
  type HubOptions,
  type HubSettings,
  type HubStats,
  hubSettings,
} from './hub-types.ts';
import { LimitLog } from './limit-log.ts';
import { headerLimitError } from './limits.ts';
import { throwIfAborted } from './pending-call.ts';
import { clientIdToken, randomToken, sameToken, TOKEN } from './tokens.ts';

/** A client that polled within this many milliseconds is in use by a live page. */
const LIVE_MS = 500;

/** The hub of one server; see the module comment. */
export class Hub extends EventEmitter<HubEvents> {
  readonly options: HubSettings;
  /** Clients, queues and requests in flight. */
  readonly store: HubStore;
  /** This process's view of the clients: held polls and timers live here. */
  readonly #sessions = new Map<string, ClientSession>();
  /** Callers in this process, by request id. */
  readonly #calls: HubCalls;
  readonly #sweeper: ReturnType<typeof setInterval>;
  /** The held polls and the hand-overs of queued requests to them. */
  readonly #delivery: Delivery;
  readonly #answers: AnswerCheck;
  readonly #idPrefix = randomBytes(3).toString('base64url');
  #seq = 0;
  #refused = 0;
  /** Refusals by the limits and access rules, counted by option, with a `limited` event. */
  readonly limits = new LimitLog();
  #closed = false;

  constructor(options: HubOptions = {}) {
    super();
    const { store, ...rest } = options;
    this.store = store ?? new MemoryStore();
    this.options = hubSettings(rest);
    this.#delivery = new Delivery(this.store, this.#sessions, this.options.holdMs);
    this.#calls = new HubCalls(this.store, this.options, this.limits, this.#delivery, this.#idPrefix, this);
    this.#answers = new AnswerCheck(this.options);
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
      id: client.id ?? clientIdToken(),
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
    this.#calls.reloaded(id, await this.store.unanswered(id));
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

  /**
   * Makes a request on client `clientId`, taking what `fetch` takes: a `Request`, or a path
   * (`/html/body/h1`), an absolute URL or a `URL`, with a `RequestInit` (`method`, `headers`,
   * `body`), plus `signal` and `timeoutMs`. See the module comment for what it settles with.
   */
  async fetch(clientId: string, input: Request | string | URL, init: HubFetchInit = {}): Promise<Response> {
    const { signal, timeoutMs, ...requestInit } = init;
    throwIfAborted(signal);
    const call = callOf(input, requestInit);
    const headers = call instanceof Request ? headerList(call.headers) : call.headers;
    const tooManyHeaders = headerLimitError(headers, this.options, `The request to client "${clientId}"`);
    if (tooManyHeaders) return this.limits.refuse(tooManyHeaders, clientId);
    if (this.#closed) return unavailable('The hub is closed', clientId);
    const session = this.#sessions.get(clientId) ?? (await this.lookup(clientId));
    if (!session) return problem(404, `No client with id "${clientId}" is connected`, { client: clientId });
    const bodiless = !(call instanceof Request) || call.body === null;
    let message: ReverseRequest;
    if (bodiless && session.reading === 0) {
      // Nothing to read and nothing read before it: the message is ready now, in call order.
      message = this.#bodilessMessage(call, headers);
    } else {
      try {
        message = await this.#afterReads(session, () =>
          call instanceof Request && !bodiless
            ? fromRequest(this.#nextId(), call, this.options.maxBodyBytes)
            : this.#bodilessMessage(call, headers),
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
    const answer = await this.#calls.send(session, message, signal, timeoutMs);
    return answer instanceof Response ? answer : this.#answers.toResponse(clientId, message, answer);
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
    const answer = await this.#calls.send(session, message, signal, options.timeoutMs);
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
    return this.#answers.answerProblem(clientId, request, response, malformed);
  }

  /** The next message for a call without a body (a plain call, or a `Request` with none). */
  #bodilessMessage(call: PlainCall | Request, headers: HeaderList): ReverseRequest {
    const { method, path, query } = call instanceof Request ? { method: call.method, ...pathAndQuery(call.url) } : call;
    return { id: this.#nextId(), method, path, query, headers, body: null };
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

  /**
   * A client's poll arrived: supersede the one it held, then deliver queued work or hold.
   * `retry` (with the client's `ack`) asks again for requests that may have been lost.
   */
  attachPoll(session: ClientSession, poll: HeldPoll, delivery: { ack?: number; retry?: boolean } = {}): Promise<void> {
    return this.#delivery.attach(session, poll, delivery);
  }

  /** A held poll's connection closed before it was answered. */
  detachPoll(session: ClientSession, poll: HeldPoll): void {
    if (session.poll === poll) this.#delivery.release(session);
  }

  /**
   * Responses from a client. Duplicates and late answers to its own requests are dropped; answers
   * naming a request it was never sent are rejected (counted, and a `rejected` event).
   */
  async receive(session: ClientSession, responses: readonly ReverseResponse[]): Promise<void> {
    this.#calls.receive(session, responses);
  }

  /** A problem to give the caller of request `id` in place of its client's answer (e.g. over a limit). */
  problemAnswer(id: string, error: HttpError): ReverseResponse {
    return this.#answers.problemAnswer(id, error);
  }

  /** The hub's counters. */
  stats(): HubStats {
    return {
      clients: this.#sessions.size,
      refusedConnects: this.#refused,
      droppedResponses: this.#calls.dropped,
      rejectedResponses: this.#calls.rejected,
      limited: this.limits.counts(),
      pendingCalls: this.#calls.size,
    };
  }

  /** Forgets a client; its callers get 503. */
  async expire(id: string, reason: string): Promise<void> {
    const session = this.#sessions.get(id);
    if (!session) return;
    this.#sessions.delete(id);
    const poll = session.poll;
    this.#delivery.release(session);
    poll?.deliver([]);
    this.#calls.gone(id, reason);
    this.emit('disconnect', session.info(), reason);
    await this.store.removeClient(id);
  }

  /** Closes the hub: held polls are answered, every pending call settles with 503. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweeper);
    for (const id of Array.from(this.#sessions.keys())) void this.expire(id, 'the hub closed');
    this.#delivery.stop();
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
}
