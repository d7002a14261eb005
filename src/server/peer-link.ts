/**
 * The hub's link to one PTTH peer: its turned sockets, and the one poll held for them. The hub
 * sees a PTTH peer as it sees a page: a held poll that takes batches of requests; here a batch is
 * written on the sockets at once (pipelined, the least busy socket first), and the poll is held
 * again right away. When a socket dies with requests on it, the next poll asks the hub to deliver
 * them again (`retry`), on another socket of the same peer or on its next one.
 */
import type { Socket } from 'node:net';
import type { ReverseRequest, ReverseResponse } from '../protocol/message.ts';
import type { ClientSession, HeldPoll } from './client-session.ts';
import type { Hub } from './hub.ts';
import { type InFlight, TurnedSocket } from './turned-socket.ts';

/** One peer's sockets and held poll. */
export class PeerLink {
  readonly session: ClientSession;
  readonly #hub: Hub;
  readonly #sockets = new Set<TurnedSocket>();
  #held: HeldPoll | null = null;
  /** Set when requests were lost with a socket: the next poll asks again for those above `ack`. */
  #retry: { ack: number } | null = null;
  /** Answers go to the hub one batch after another, in the order they were read. */
  #receiving: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(hub: Hub, session: ClientSession) {
    this.#hub = hub;
    this.session = session;
  }

  /** The sockets open now. */
  get sockets(): number {
    return this.#sockets.size;
  }

  /** Whether the link was closed (its session is gone); a closed link takes no sockets. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether the hub still knows this link's session. */
  async alive(): Promise<boolean> {
    return !this.#closed && (await this.#hub.session(this.session.id)) === this.session;
  }

  /**
   * Adds a turned socket (its 101 not written yet) and holds a poll for it; resolves once the
   * poll is held, so requests already queued are written before the 101 goes out, in one write.
   */
  async add(socket: Socket): Promise<TurnedSocket> {
    const turned: TurnedSocket = new TurnedSocket(socket, {
      maxBodyBytes: this.#hub.options.maxBodyBytes,
      responses: (responses) => this.#receive(responses),
      closed: (lost) => void this.#lost(turned, lost),
    });
    this.#sockets.add(turned);
    await this.#attach();
    return turned;
  }

  /** Closes every socket and lets go of the poll. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const held = this.#held;
    this.#held = null;
    if (held) void this.#hub.detachPoll(this.session, held);
    for (const socket of Array.from(this.#sockets)) socket.close();
  }

  #receive(responses: ReverseResponse[]): void {
    this.#receiving = this.#receiving.then(() => this.#hub.receive(this.session, responses)).catch(() => undefined);
  }

  /** Holds a poll for the sockets, unless one is held, none is open, or the session is gone. */
  async #attach(): Promise<void> {
    if (this.#closed || this.#held !== null || this.#sockets.size === 0) return;
    const held: HeldPoll = { deliver: (batch) => this.#deliver(held, batch) };
    this.#held = held;
    if (!(await this.alive())) return this.close();
    const delivery = this.#retry === null ? {} : { ack: this.#retry.ack, retry: true };
    this.#retry = null;
    await this.#hub.attachPoll(this.session, held, delivery);
  }

  #deliver(held: HeldPoll, batch: ReverseRequest[]): boolean {
    if (held !== this.#held) return false;
    this.#held = null;
    const open = Array.from(this.#sockets).filter((socket) => !socket.closed);
    // No socket to write on: the hub keeps the batch for the next poll, held when one comes.
    if (batch.length > 0 && open.length === 0) return false;
    // Redelivered requests still in flight on a live socket are answered there: not twice.
    const fresh = batch.filter((request) => !open.some((socket) => socket.carries(request.id)));
    const plan = new Map<TurnedSocket, ReverseRequest[]>();
    const load = new Map(open.map((socket) => [socket, socket.inflight]));
    for (const request of fresh) {
      let best = open[0] as TurnedSocket;
      for (const socket of open) if ((load.get(socket) ?? 0) < (load.get(best) ?? 0)) best = socket;
      load.set(best, (load.get(best) ?? 0) + 1);
      plan.set(best, [...(plan.get(best) ?? []), request]);
    }
    for (const [socket, requests] of plan) socket.send(requests);
    // Hold the next poll at once, as a page polls again with its answers: after this delivery.
    queueMicrotask(() => void this.#attach());
    return true;
  }

  async #lost(socket: TurnedSocket, lost: InFlight[]): Promise<void> {
    this.#sockets.delete(socket);
    if (this.#closed) return;
    if (lost.length > 0) {
      const ack = Math.min(...lost.map((request) => (request.seq ?? 1) - 1), this.#retry?.ack ?? Infinity);
      this.#retry = { ack };
    }
    const held = this.#held;
    if (held === null || (lost.length === 0 && this.#sockets.size > 0)) return;
    // Let go of the poll: with no socket left the peer is idle (and expires unless it comes
    // back); with sockets left, a new poll asks the hub to deliver the lost requests again.
    this.#held = null;
    await this.#hub.detachPoll(this.session, held);
    await this.#attach();
  }
}
