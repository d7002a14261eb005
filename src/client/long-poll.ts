/**
 * The browser's long-poll transport: a small state machine that connects, holds one poll at a
 * time, runs the reverse requests it receives through a fetch-shaped handler (concurrently) and
 * sends their responses on the next poll, which then becomes the held one.
 */
import { debug } from '../protocol/debug.ts';
import { DEFAULT_ENDPOINT } from '../protocol/long-poll-wire.ts';
import type { ReverseRequest, ReverseResponse } from '../protocol/message.ts';
import { isThenable } from '../protocol/thenable.ts';
import type { ConnectionEvents, ConnectionState, LongPollOptions, RequestRecord } from './connection-types.ts';
import { type CrossOrigin, crossOriginHint, crossOriginOf } from './cross-origin.ts';
import { DeliveryLog } from './delivery-log.ts';
import type { GroupMember } from './group-member.ts';
import { connectToHub, HubRefused, leaveHub, pollHub, pollNames, uploadBatch } from './hub-exchange.ts';
import { defaultStorage, loadIdentity, randomName, saveIdentity } from './identity.ts';
import { ListenedTarget } from './listened-target.ts';
import { backoffDelay, macrotask, reportError, withDeadline } from './scheduling.ts';
import { problemFor, serveRequest } from './serve-request.ts';
import { soloGroup, type TabGroup, tabGroup } from './tab-group.ts';

export type { ConnectionEvents, ConnectionState, LongPollOptions, RequestRecord } from './connection-types.ts';

// Pure: with the DEBUG: calls dropped, the bundler drops the logger too.
const log = /* @__PURE__ */ debug('ptth:long-poll');

/** How long a connect may take before it is retried. */
const CONNECT_DEADLINE_MS = 30_000;
/** How much longer than the hub's hold a poll may take before it counts as dead. */
const POLL_MARGIN_MS = 10_000;
/** Window and document events after which the connection checks itself. */
const WAKE_EVENTS = ['online', 'visibilitychange', 'pageshow'] as const;

/** The longest a connect waits for the leave of a connection closed just before (`leaving`). */
const LEAVE_WAIT_MS = 2_000;
/** Leaves (`DELETE`) still on their way, by identity key, with the id they leave: a new connection resuming that id waits for them. */
const leaving = new Map<string, { id: string; left: Promise<void> }>();

/** A live long-poll connection; an `EventTarget` with `state`, `error` and `request` events. */
export class Connection extends ListenedTarget {
  #state: ConnectionState = 'connecting';
  #id: string | null = null;
  #secret = '';
  #attempt = 0;
  /** Until when (`performance.now()`) the hub's `Retry-After` holds retries back, even `wake()`'s. */
  #notBefore = 0;
  /** When (`performance.now()`) the backoff's timer retries. */
  #retryAt = 0;
  #polls = 0;
  #flushQueued = false;
  /** Inside `#receive`'s loop: an answer given at once waits for the loop's end to leave. */
  #receiving = false;
  /** Requests of this connection being served now. */
  #serving = 0;
  #outbox: ReverseResponse[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Counts connects; a poll of an earlier one is stale and ignored. */
  #generation = 0;
  #holdMs = 25_000;
  #maxBodyBytes = Number.POSITIVE_INFINITY;
  #delivery = new DeliveryLog();
  /** Set after a failed poll: the next one asks the hub to deliver again what may be lost. */
  #askAgain = false;
  /** Wall-clock time the last poll went out: timers stall in sleeping and background pages, the clock does not. */
  #lastPollAt = 0;
  /** Names each poll, so the hub knows one the browser sent twice. */
  readonly #pollName = pollNames();
  /** This page load's name; polls carry it so a duplicated tab cannot poll as this one. */
  readonly #instance = randomName();
  readonly #identityKey: string;
  readonly #abort = new AbortController();
  readonly #options: Required<Omit<LongPollOptions, 'url' | 'onRequest'>> &
    Pick<LongPollOptions, 'onRequest'> & { url: string };
  readonly #base: string;
  /** The group whose leader polls for this tab (maybe a group of this tab alone), or `null` on the `message/http` wire. */
  #group: TabGroup | null;
  /** The page's and the hub's origins when they differ: the hub must list the page's (CORS). */
  readonly #crossOrigin: CrossOrigin | null;

  constructor(options: LongPollOptions) {
    super();
    this.#options = {
      endpoint: DEFAULT_ENDPOINT,
      wire: 'json',
      minBackoffMs: 500,
      maxBackoffMs: 30_000,
      url: globalThis.location?.href ?? '',
      dom: false,
      storage: defaultStorage(),
      shared: true,
      stream: true,
      ...options,
    };
    this.#base = this.#options.endpoint.replace(/\/+$/, '');
    this.#crossOrigin = crossOriginOf(this.#base);
    const absolute = new URL(this.#base, globalThis.location?.href ?? 'http://localhost/').href;
    this.#identityKey = `ptth:${absolute}`;
    // A tab that cannot or may not share (no Web Locks, `shared: false`) polls in a group of its own.
    this.#group =
      this.#options.wire === 'json'
        ? ((this.#options.shared ? tabGroup(absolute, this.#options) : null) ?? soloGroup(absolute, this.#options))
        : null;
    // Coming back online, to the foreground or from the back/forward cache: recover now, not
    // when a (throttled) backoff timer fires.
    for (const type of WAKE_EVENTS) globalThis.addEventListener?.(type, this.#onWake);
    this.#connect();
  }

  readonly #onWake = (event: Event) => {
    if (event.type === 'visibilitychange' && globalThis.document?.visibilityState !== 'visible') return;
    this.wake();
  };

  /**
   * Recovers at once: retries now when backing off, and polls anew when the last poll has been
   * out longer than the hub ever holds one (its connection died while the page slept). Called
   * on the `online`, `visibilitychange` and `pageshow` events.
   */
  wake(): void {
    // In a tab group the leader's poll recovers for everyone; a tab without an id connects again.
    if (this.#group !== null && this.#id !== null) this.#group.wake();
    else if (this.#state === 'backoff') {
      clearTimeout(this.#timer);
      this.#attempt = 0;
      // The hub's Retry-After still holds: the retry waits for what is left of it.
      const now = performance.now();
      this.#retryAt = Math.max(now, this.#notBefore);
      if (this.#notBefore > now) this.#timer = setTimeout(this.#again, this.#notBefore - now);
      else this.#again();
    } else if (this.#state === 'open' && Date.now() - this.#lastPollAt > this.#holdMs + POLL_MARGIN_MS) {
      this.#askAgain = true;
      void this.#poll();
    }
  }

  /** The client id the hub gave this page; `null` until connected. */
  get id(): string | null {
    return this.#id;
  }

  /** The transport's state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** Whether this tab holds the poll shared by its origin's tabs (`false` when it polls alone, too). */
  get leader(): boolean {
    return (this.#group?.shared && this.#group.leader) ?? false;
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

  /** Stops polling for good and tells the hub (best effort); requests in flight are abandoned silently. */
  close(): void {
    if (this.#state === 'closed') return;
    for (const type of WAKE_EVENTS) globalThis.removeEventListener?.(type, this.#onWake);
    clearTimeout(this.#timer);
    this.#abort.abort();
    this.#group?.leave(this.#instance);
    if (this.#id !== null) {
      const leave = { id: this.#id, left: leaveHub(this.#base, this.#id, this.#secret, this.#instance) };
      const key = this.#identityKey;
      leaving.set(key, leave);
      void leave.left.then(() => {
        if (leaving.get(key) === leave) leaving.delete(key);
      });
    }
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

  /** A poll failed: retry later, with a new connect when the hub no longer knows this client. */
  #fail(reason: string, error?: unknown, reconnect = false): void {
    if (this.#state === 'closed') return;
    // A hub that no longer knows this id: connect again, whatever the state (a tab group's
    // failure may have put it in backoff, with no timer of its own to come out of it).
    if (reconnect && this.#id !== null) {
      this.#id = null;
      this.#retry(reason, error);
      return;
    }
    // Several polls can fail at once; the first schedules the retry, the rest only report.
    if (this.#state !== 'open') {
      this.#emit('error', { reason, error });
      return;
    }
    this.#retry(reason, error);
  }

  /** Retries after a backoff, and never before the hub's `Retry-After` (`atLeastMs`). */
  #retry(reason: string, error?: unknown, atLeastMs = 0): void {
    if (this.#state === 'closed') return;
    this.#emit('error', { reason, error });
    this.#setState('backoff');
    const backoff = backoffDelay(this.#attempt++, this.#options.minBackoffMs, this.#options.maxBackoffMs);
    const delay = Math.max(backoff, atLeastMs);
    const now = performance.now();
    this.#notBefore = now + atLeastMs;
    this.#retryAt = now + delay;
    DEBUG: log('backoff', Math.round(delay), 'ms after', reason);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#again, delay);
  }

  /** A backoff under way retries no sooner than `at` (`performance.now()`), nor does `wake()`. */
  #holdBackUntil(at: number): void {
    if (this.#state !== 'backoff') return;
    this.#notBefore = Math.max(this.#notBefore, at);
    if (at <= this.#retryAt) return;
    this.#retryAt = at;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#again, at - performance.now());
  }

  /** Connects or polls again, after a backoff. */
  readonly #again = () => {
    if (this.#id === null) void this.#connect();
    else void this.#poll();
  };

  async #connect(): Promise<void> {
    this.#id = null;
    this.#setState('connecting');
    try {
      // A connection of this page closed just now: its leave must reach the hub before this
      // connect resumes the same id, or the hub would forget the id again right after.
      const identity = loadIdentity(this.#options.storage, this.#identityKey);
      const leave = leaving.get(this.#identityKey);
      if (leave && leave.id === identity?.id) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([leave.left, new Promise((resolve) => (timer = setTimeout(resolve, LEAVE_WAIT_MS)))]);
        clearTimeout(timer);
        // Closed meanwhile: no connect (it would bring back the id nobody leaves again).
        if (this.#abort.signal.aborted) return;
      }
      const body = {
        url: this.#options.url,
        dom: this.#options.dom,
        instance: this.#instance,
        ...identity,
      };
      const reply = await withDeadline(this.#abort.signal, CONNECT_DEADLINE_MS, (signal) =>
        connectToHub(this.#base, body, signal),
      );
      if (this.#state === 'closed') return;
      this.#generation++;
      this.#id = reply.id;
      this.#secret = reply.secret;
      this.#holdMs = reply.holdMs;
      this.#maxBodyBytes = reply.maxBodyBytes ?? Number.POSITIVE_INFINITY;
      saveIdentity(this.#options.storage, this.#identityKey, { id: reply.id, secret: reply.secret });
      // Responses owed to the previous hub have no caller any more.
      this.#outbox = [];
      this.#delivery = new DeliveryLog(reply.ack ?? 0);
      this.#askAgain = false;
      this.#attempt = 0;
      this.#setState('open');
      if (this.#group !== null) this.#group.join(this.#member);
      else this.#poll();
    } catch (error) {
      if (this.#abort.signal.aborted) return;
      const wait = error instanceof HubRefused ? error.retryAfterMs : 0;
      const reason = error instanceof Error ? error.message : 'connect failed';
      this.#retry(reason + crossOriginHint(error, this.#crossOrigin), error, wait);
    }
  }

  /**
   * Sends the answers (or polls again) once every request being served is answered, at once;
   * while some still run, a macrotask later, so handlers that finish meanwhile join the batch.
   */
  #flushSoon(): void {
    if (this.#serving === 0) this.#flush();
    else this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    macrotask(() => {
      this.#flushQueued = false;
      this.#flush();
    });
  }

  #flush(): void {
    // A group's leader keeps answers through its own backoff; a tab polling alone sends them when open.
    if (this.#group !== null && this.#id !== null && this.#state !== 'closed') {
      this.#group.answer(this.#member, this.#outbox.splice(0));
    } else if (this.#state === 'open' && (this.#outbox.length > 0 || this.#polls === 0)) this.#poll();
  }

  async #poll(): Promise<void> {
    const id = this.#id;
    if (this.#state === 'closed' || id === null) return;
    if (this.#state === 'backoff') this.#setState('open');
    const generation = this.#generation;
    const responses = uploadBatch(this.#outbox, this.#maxBodyBytes);
    if (this.#outbox.length > 0) this.#scheduleFlush();
    this.#polls++;
    this.#lastPollAt = Date.now();
    DEBUG: log('poll', { responses: responses.length, polls: this.#polls });
    const ack = this.#delivery.ack;
    const retry = this.#askAgain;
    let requests: ReverseRequest[];
    try {
      // A poll is never held longer than holdMs: past that (and a margin) the connection is dead.
      const http = this.#options.wire === 'http';
      const name = this.#pollName();
      const poll = { id, secret: this.#secret, instance: this.#instance, http, responses, ack, retry, name };
      requests = await withDeadline(this.#abort.signal, this.#holdMs + POLL_MARGIN_MS, (signal) =>
        pollHub(this.#base, poll, signal),
      );
    } catch (error) {
      if (this.#abort.signal.aborted || generation !== this.#generation) return;
      if (error instanceof HubRefused && this.#refused(error.status, error.message)) return;
      if (error instanceof HubRefused && error.status === 429) {
        // Polling too often (pollsPerSecond): the hub read nothing, so send the same answers after its Retry-After.
        this.#outbox.unshift(...responses);
        if (this.#state === 'open') return this.#retry(error.message, error, error.retryAfterMs);
        // Backing off already (another poll failed): the retry waits for this Retry-After too.
        this.#holdBackUntil(performance.now() + error.retryAfterMs);
        return this.#emit('error', { reason: error.message, error });
      }
      // The hub refused this batch as it is: sending it again would fail the same way, so it is
      // dropped. The next poll still waits a backoff, longer while refusals go on: a refusal that
      // is not the batch's fault (a proxy refusing every poll, say) must not make a loop of polls.
      if (error instanceof HubRefused && error.status >= 400 && error.status < 500) {
        const dropped = responses.length > 0 ? `; ${responses.length} responses dropped` : '';
        return this.#fail(error.message + dropped, error);
      }
      // The hub may not have read these answers: send them again; it drops duplicates by id.
      this.#outbox.unshift(...responses);
      this.#askAgain = true;
      return this.#fail(`poll failed${crossOriginHint(error, this.#crossOrigin)}`, error);
    } finally {
      this.#polls--;
    }
    if (generation !== this.#generation) return;
    this.#attempt = 0;
    if (retry) this.#askAgain = false;
    this.#receive(requests);
  }

  /** How this connection takes part in its tab group. */
  readonly #member: GroupMember = {
    card: () => ({
      id: this.#id ?? '',
      secret: this.#secret,
      instance: this.#instance,
      ack: this.#delivery.ack,
      holdMs: this.#holdMs,
      maxBodyBytes: this.#maxBodyBytes,
    }),
    receive: (id, requests) => {
      // A poll that works again may deliver before the tab hears that it recovered.
      if (id === this.#id && this.#state !== 'closed') this.#receive(requests);
    },
    refused: (id, status, detail) => {
      if (id === this.#id) this.#refused(status, detail);
    },
    failed: (reason) => {
      if (this.#state !== 'open' && this.#state !== 'backoff') return;
      this.#emit('error', { reason });
      this.#setState('backoff');
    },
    recovered: () => {
      if (this.#state === 'backoff' && this.#id !== null) this.#setState('open');
    },
    full: (responses) => {
      const shared = this.#group;
      if (this.#state === 'closed' || shared === null || !shared.shared) return;
      // The origin's tabs fill the shared poll: this one polls alone, with what it had handed over.
      DEBUG: log('the shared poll is full: polling alone');
      this.#outbox.unshift(...responses);
      this.#group = soloGroup(shared.base, this.#options);
      shared.leave(this.#instance);
      if (this.#id !== null) {
        this.#group.join(this.#member);
        this.#flushSoon();
        // A failure of the shared poll is not this group's: it says so when its own polls fail.
        if (this.#state === 'backoff') this.#setState('open');
      }
    },
  };

  /**
   * The hub refused a poll for this client: it does not know it (404, 403: connect again) or
   * another page load holds its id (409: a duplicated tab, which takes a new id). Returns
   * whether the status was one of those.
   */
  #refused(status: number, message: string): boolean {
    if (status === 404 || status === 403) {
      this.#fail(`${message} (the hub does not know this client)`, undefined, true);
      return true;
    }
    if (status === 409) {
      saveIdentity(this.#options.storage, this.#identityKey, null);
      this.#fail(message, undefined, true);
      return true;
    }
    return false;
  }

  /** Runs newly arrived requests; a redelivered one is answered from memory, never run twice. */
  #receive(requests: ReverseRequest[]): void {
    DEBUG: log('received', requests.length, 'requests');
    // The loop counts as one request being served: answers given at once join one batch.
    this.#serving++;
    this.#receiving = true;
    try {
      for (const request of requests) {
        if (this.#delivery.arrive(request)) {
          this.#serving++;
          try {
            this.#serve(request);
          } catch (error) {
            // The rest of the batch is still served (what threw was after its answer was counted).
            reportError(error);
          }
          continue;
        }
        // Delivered again: never run twice. Answer from memory; one still running answers when done.
        const answer = this.#delivery.answer(request.id);
        if (answer && !this.#outbox.includes(answer)) this.#outbox.push(answer);
      }
    } finally {
      this.#receiving = false;
      this.#serving--;
    }
    // With requests running, the last to finish sends the batch; answers given already leave a macrotask later.
    if (this.#serving === 0) this.#flush();
    else if (this.#outbox.length > 0) this.#scheduleFlush();
  }

  /** Serves one request; its answer is `#served`, whatever happens (so `#serving` always comes down). */
  #serve(message: ReverseRequest): void {
    const started = performance.now();
    const generation = this.#generation;
    let response: ReverseResponse | PromiseLike<ReverseResponse>;
    try {
      response = serveRequest(this.#options.handler, message, this.#maxBodyBytes);
    } catch (error) {
      // serveRequest never throws: this is belt and braces, as below.
      response = problemFor(message, error);
    }
    if (!isThenable(response)) {
      this.#served(message, response, started, generation);
      return;
    }
    void Promise.resolve(response).then(
      (done) => this.#served(message, done, started, generation),
      (error: unknown) => this.#served(message, problemFor(message, error), started, generation),
    );
  }

  #served(message: ReverseRequest, response: ReverseResponse, started: number, generation: number): void {
    this.#serving--;
    // Answers owed to a hub that forgot this client have no caller any more.
    if (this.#state === 'closed' || generation !== this.#generation) return;
    this.#delivery.remember(response);
    this.#outbox.push(response);
    this.#report(message, response.status, started);
    if (!this.#receiving) this.#flushSoon();
  }

  /** Reports a served request, only to someone who listens: an event nobody hears costs more than the rest. */
  #report({ id, method, path }: ReverseRequest, status: number, started: number): void {
    const { onRequest } = this.#options;
    const heard = this.heard('request');
    if (onRequest === undefined && !heard) return;
    const record: RequestRecord = { id, method, path, status, ms: performance.now() - started, at: Date.now() };
    try {
      onRequest?.(record);
    } catch (error) {
      // Reported as a listener's error is, and the answer still leaves.
      reportError(error);
    }
    if (heard) this.#emit('request', record);
  }
}
