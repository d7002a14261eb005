/**
 * One connected client as this process sees it: its record (kept in the hub's store), and what
 * cannot leave the process: the poll it holds here (at most one), its hold timer, and the order
 * in which this process reads call bodies and hands batches over.
 */
import type { ReverseRequest } from '../protocol/message.ts';
import type { Deadlined } from './deadline-queue.ts';
import type { ClientRecord, TransportKind } from './hub-store.ts';

export type { TransportKind } from './hub-store.ts';

/** A public description of a connected client (the objects of `GET /ptth/clients`). */
export interface ClientInfo {
  id: string;
  transport: TransportKind;
  /** ISO time of the connect. */
  connectedAt: string;
  /** The page that connected. */
  url: string;
  userAgent: string;
  /** True when the page serves only its DOM, so the gateway checks XPath paths before sending. */
  dom: boolean;
  /** Requests made on the client from this process and not answered yet. */
  pending: number;
}

/**
 * A held poll: the hub answers it with a batch of requests (empty when the hold ran out).
 * `deliver` returns `false` when the poll's connection is already gone and the batch was not sent.
 * `name` is the name the client gave the poll (see `PollBody.poll`): a second copy of a poll
 * under the same name gets again what the first was handed.
 */
export interface HeldPoll {
  deliver(requests: ReverseRequest[]): boolean | undefined;
  readonly name?: string | undefined;
}

/** The promise every session starts from: one for all of them, not two each. */
const SETTLED: Promise<unknown> = Promise.resolve();

/** This process's view of one client. */
export class ClientSession implements Deadlined {
  poll: HeldPoll | null = null;
  /** When the held poll's hold runs out (the hub's `DeadlineQueue` of held polls); 0 when none is held. */
  deadline = 0;
  deadlinePrev: Deadlined | null = null;
  deadlineNext: Deadlined | null = null;
  /** Calls made on the client from this process and not settled yet. */
  pending = 0;
  /** Settles when the bodies of earlier `hub.fetch` calls have been read (keeps call order). */
  admission: Promise<unknown> = SETTLED;
  /** Bodies of `hub.fetch` calls being read now; while there are any, later calls wait their turn. */
  reading = 0;
  /** Settles when the last hand-over of a batch to a poll is done (one at a time per client). */
  handover: Promise<unknown> = SETTLED;
  /** Store steps of hand-overs running or waiting (at 0 the next one may run at once). */
  steps = 0;
  /** Whether a hand-over is scheduled for the end of this moment. */
  handOverSoon = false;

  constructor(public record: ClientRecord) {}

  get id(): string {
    return this.record.id;
  }

  get secret(): string {
    return this.record.secret;
  }

  get url(): string {
    return this.record.url;
  }

  get dom(): boolean {
    return this.record.dom;
  }

  get instance(): string {
    return this.record.instance;
  }

  get address(): string {
    return this.record.address;
  }

  get transport(): TransportKind {
    return this.record.transport;
  }

  /** The client as listed by the hub. */
  info(): ClientInfo {
    const { id, transport, connectedAt, url, userAgent, dom } = this.record;
    return { id, transport, connectedAt, url, userAgent, dom, pending: this.pending };
  }
}
