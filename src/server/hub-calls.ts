/**
 * The calls a hub has in flight in this process, by request id: queueing each call's request
 * in the store (a 503 past `maxQueue`), what happens when one is over (the store forgets it),
 * the 504 of one that timed out, the 503s of calls whose client reloaded or went, and the
 * answers a client gives (its own settle its calls, late duplicates are dropped, answers naming
 * requests it was never sent are rejected: issue 5).
 */
import type { EventEmitter } from 'node:events';
import { HttpError, problem } from '../protocol/http-error.ts';
import type { ReverseRequest, ReverseResponse } from '../protocol/message.ts';
import type { ClientSession } from './client-session.ts';
import type { Delivery } from './hub-delivery.ts';
import type { HubStore, Unanswered } from './hub-store.ts';
import type { HubEvents, HubSettings } from './hub-types.ts';
import type { LimitLog } from './limit-log.ts';
import { type AbortLike, type CallAnswer, type CallOwner, PendingCall } from './pending-call.ts';
import { RecentIds } from './recent-ids.ts';

/** See the module comment; a hub has one. */
export class HubCalls implements CallOwner {
  /** Callers in this process, by request id. */
  readonly #calls = new Map<string, PendingCall>();
  readonly #finished = new WeakMap<ClientSession, RecentIds>();
  /** Late or repeated answers to requests a client was sent. */
  dropped = 0;
  /** Answers naming requests a client was never sent. */
  rejected = 0;

  constructor(
    readonly store: HubStore,
    /** The hub's options, read at each call. */
    readonly options: Pick<HubSettings, 'requestTimeoutMs' | 'maxQueue'>,
    /** Where a call refused by `maxQueue` is recorded. */
    readonly limits: LimitLog,
    /** Hands queued requests over to the client's held poll. */
    readonly delivery: Delivery,
    /** The prefix of the hub's request ids. */
    readonly idPrefix: string,
    /** Where `rejected` events go (the hub). */
    readonly events: EventEmitter<HubEvents>,
  ) {}

  /** Callers waiting for an answer. */
  get size(): number {
    return this.#calls.size;
  }

  /** The call waiting for the answer to request `id`. */
  get(id: string): PendingCall | undefined {
    return this.#calls.get(id);
  }

  /** Queues `message` for its client and waits for the answer (or a problem, or the signal's reason). */
  send(
    session: ClientSession,
    message: ReverseRequest,
    signal: AbortLike | undefined,
    timeoutMs = this.options.requestTimeoutMs,
  ): Promise<CallAnswer> {
    const call = new PendingCall(this, session, message, timeoutMs, signal);
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
    } else this.delivery.handOverSoon(session);
  }

  /** Answers 503 the calls whose requests were delivered to client `id` before it reloaded. */
  reloaded(id: string, unanswered: readonly Unanswered[]): void {
    for (const { request, delivered } of unanswered) {
      if (!delivered) continue;
      this.#calls.get(request.id)?.settle(
        new HttpError(503, `Client "${id}" reloaded before answering ${request.method} ${request.path}`, {
          headers: { 'retry-after': '1' },
          extensions: { client: id },
        }).toResponse(),
      );
    }
  }

  /** Answers 503 every call on client `id`, which is gone for `reason`. */
  gone(id: string, reason: string): void {
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
  }

  /** A call is over: forget it and its request (see `CallOwner`). */
  finished(call: PendingCall): unknown {
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
  }

  /** The 504 of a call that timed out. */
  timedOut(call: PendingCall, entry: unknown): CallAnswer {
    const { clientId, request, timeoutMs } = call;
    const delivered = (entry as Unanswered | undefined)?.delivered;
    const state = delivered ? 'it was delivered but not answered' : 'it was never delivered (no poll)';
    const detail = `Client "${clientId}" did not answer ${request.method} ${request.path} within ${timeoutMs} ms: ${state}`;
    return problem(504, detail, { client: clientId });
  }

  /** See `hub.receive`. */
  receive(session: ClientSession, responses: readonly ReverseResponse[]): void {
    const foreign: string[] = [];
    for (const response of responses) {
      const call = this.#calls.get(response.id);
      if (call && call.clientId === session.id) {
        this.#finishedOf(session).add(response.id);
        call.settle(response);
      } else if (!call && this.#finished.get(session)?.has(response.id)) this.dropped++;
      else foreign.push(response.id);
    }
    if (foreign.length > 0) this.#reject(session.id, foreign);
  }

  #finishedOf(session: ClientSession): RecentIds {
    const finished = this.#finished.get(session) ?? new RecentIds(this.idPrefix);
    this.#finished.set(session, finished);
    return finished;
  }

  #reject(clientId: string, ids: string[]): void {
    this.rejected += ids.length;
    const named = ids
      .slice(0, 3)
      .map((id) => JSON.stringify(id.slice(0, 64)))
      .join(', ');
    const more = ids.length > 3 ? ` and ${ids.length - 3} more` : '';
    this.events.emit('rejected', clientId, `Client "${clientId}" answered requests it was never sent: ${named}${more}`);
  }
}
