/**
 * One connected client as the hub sees it: its queue of reverse requests not yet delivered,
 * the requests awaiting an answer, and the poll it holds (at most one).
 */
import type { ReverseRequest, ReverseResponse } from '../protocol/message.ts';

/** How a client is connected. */
export type TransportKind = 'long-poll' | 'ptth';

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
  /** Requests sent to the client and not answered yet. */
  pending: number;
}

/**
 * A held poll: the hub answers it with a batch of requests (empty when the hold ran out).
 * `deliver` returns `false` when the poll's connection is already gone and the batch was not sent.
 */
export interface HeldPoll {
  deliver(requests: ReverseRequest[]): boolean | undefined;
}

/** A caller waiting for the response to one reverse request. */
export interface PendingCall {
  request: ReverseRequest;
  delivered: boolean;
  settle(response: ReverseResponse | Response): void;
}

/** The hub's record of one client. */
export class ClientSession {
  readonly queue: ReverseRequest[] = [];
  /** The sequence number the next first delivery gets. */
  nextSeq = 1;
  readonly calls = new Map<string, PendingCall>();
  poll: HeldPoll | null = null;
  holdTimer: ReturnType<typeof setTimeout> | undefined;
  /** `Date.now()` when the client last had no poll held; `null` while one is held. */
  idleSince: number | null;
  /** The page load that holds this id; polls from another one are refused (409). */
  instance = '';
  /** The remote address it connected from ('' when unknown). */
  address = '';
  /** Settles when the bodies of earlier `hub.fetch` calls have been read (keeps call order). */
  admission: Promise<unknown> = Promise.resolve();

  constructor(
    readonly id: string,
    readonly secret: string,
    public url: string,
    readonly userAgent: string,
    readonly transport: TransportKind,
    public dom = false,
    readonly connectedAt = new Date(),
  ) {
    this.idleSince = Date.now();
  }

  /** The client as listed by the hub. */
  info(): ClientInfo {
    return {
      id: this.id,
      transport: this.transport,
      connectedAt: this.connectedAt.toISOString(),
      url: this.url,
      userAgent: this.userAgent,
      dom: this.dom,
      pending: this.calls.size,
    };
  }

  /** Hands every queued request to the held poll, if there is one; returns whether it did. */
  flush(): boolean {
    const poll = this.poll;
    if (poll === null || this.queue.length === 0) return false;
    const batch = this.numbered(this.queue.splice(0));
    this.release();
    if (poll.deliver(batch) === false) {
      // The poll's connection closed under us: keep the batch for the next poll.
      this.queue.unshift(...batch);
      return false;
    }
    for (const request of batch) {
      const call = this.calls.get(request.id);
      if (call) call.delivered = true;
    }
    return true;
  }

  /**
   * Gives every request a sequence number at its first delivery (a redelivery keeps it), and
   * returns the batch.
   */
  numbered(batch: ReverseRequest[]): ReverseRequest[] {
    for (const request of batch) request.seq ??= this.nextSeq++;
    return batch;
  }

  /**
   * The client may have lost a poll's answer: queue again, in order and ahead of new work, every
   * delivered request above `ack` whose caller still waits. One whose caller gave up is not
   * sent again, so it never runs late.
   */
  redeliver(ack: number): void {
    const queued = new Set(this.queue.map((request) => request.id));
    const lost = Array.from(this.calls.values())
      .filter((call) => call.delivered && (call.request.seq ?? 0) > ack && !queued.has(call.request.id))
      .map((call) => call.request)
      .sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
    this.queue.unshift(...lost);
  }

  /** Forgets the held poll (answered, superseded or closed) and starts the idle clock. */
  release(): void {
    clearTimeout(this.holdTimer);
    this.poll = null;
    this.idleSince = Date.now();
  }

  /** Removes a request that has not been delivered; returns whether it was still queued. */
  unqueue(id: string): boolean {
    const index = this.queue.findIndex((request) => request.id === id);
    if (index < 0) return false;
    this.queue.splice(index, 1);
    return true;
  }
}
