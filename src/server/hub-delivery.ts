/**
 * The hub's delivery: the polls its clients hold in this process (one timer for all their
 * holds) and the hand-over of each client's queued requests to its held poll, one hand-over at
 * a time per client, batched at the end of the moment or of the event loop's turn.
 */
import type { ReverseRequest } from '../protocol/message.ts';
import type { ClientSession, HeldPoll } from './client-session.ts';
import { DeadlineQueue } from './deadline-queue.ts';
import type { HubStore } from './hub-store.ts';

/** See the module comment; a hub has one. */
export class Delivery {
  /** The held polls, by when their hold runs out: one timer for all of them. */
  readonly #holds: DeadlineQueue<ClientSession>;

  constructor(
    readonly store: HubStore,
    /** The hub's sessions: a poll for a session not among them is answered at once. */
    readonly sessions: ReadonlyMap<string, ClientSession>,
    holdMs: number,
  ) {
    this.#holds = new DeadlineQueue<ClientSession>(holdMs, (session) => {
      const poll = session.poll;
      if (poll === null) return;
      this.release(session);
      poll.deliver([]);
    });
  }

  /** See `hub.attachPoll`. */
  async attach(session: ClientSession, poll: HeldPoll, delivery: { ack?: number; retry?: boolean }): Promise<void> {
    if (this.sessions.get(session.id) !== session) {
      poll.deliver([]);
      return;
    }
    const previous = session.poll;
    if (previous !== null) {
      this.release(session);
      previous.deliver([]);
    }
    session.poll = poll;
    session.record.idleSince = null;
    void this.store.updateClient(session.id, { idleSince: null });
    this.#holds.add(session);
    if (delivery.retry) await this.#serially(session, () => this.store.redeliver(session.id, delivery.ack ?? 0));
    this.handOverSoon(session);
    // Resolves once that hand-over is done: it runs first among the ticks queued from here.
    await new Promise<void>((resolve) => process.nextTick(resolve));
    await session.handover;
  }

  /** Stops the timer of the holds (the hub closed). */
  stop(): void {
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
  handOverSoon(session: ClientSession): void {
    if (session.handOverSoon) return;
    session.handOverSoon = true;
    process.nextTick(() => {
      session.handOverSoon = false;
      void this.#handOver(session);
    });
  }

  /** Hands every queued request to the held poll, if there is one; returns whether it did. */
  #handOver(session: ClientSession): Promise<boolean> | boolean {
    if (session.poll === null && session.steps === 0) return false;
    return this.#serially(session, () => {
      const poll = session.poll;
      if (poll === null) return false;
      const batch = this.store.take(session.id, poll.name);
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
      this.release(session);
      if (poll.deliver(batch) !== false) return true;
    }
    const restored = this.store.restore(session.id, batch);
    return restored instanceof Promise ? restored.then(() => false) : false;
  }

  /** Forgets the held poll (answered, superseded or closed) and starts the idle clock. */
  release(session: ClientSession): void {
    this.#holds.delete(session);
    session.poll = null;
    session.record.idleSince = Date.now();
    void this.store.updateClient(session.id, { idleSince: session.record.idleSince });
  }
}
