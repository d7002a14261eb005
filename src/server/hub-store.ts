/**
 * Where a hub keeps its state: the clients, the requests queued for each, and the requests
 * delivered and not answered yet, with their sequence numbers. What cannot leave the process
 * (held polls, timers, the callers' promises) stays in the hub. Every method may answer with a
 * promise, so a store shared by several processes (Redis) fits the same interface; each
 * operation that moves requests is one step, which such a store makes atomic.
 */
import type { ReverseRequest } from '../protocol/message.ts';

/** How a client is connected. */
export type TransportKind = 'long-poll' | 'ptth';

/** What a store keeps of one client. */
export interface ClientRecord {
  id: string;
  secret: string;
  /** The page that connected. */
  url: string;
  userAgent: string;
  transport: TransportKind;
  /** The page serves only its DOM, so the gateway may check XPath paths before sending. */
  dom: boolean;
  /** ISO time of the connect. */
  connectedAt: string;
  /** The page load that holds this id; polls from another one are refused (409). */
  instance: string;
  /** The remote address it connected from ('' when unknown). */
  address: string;
  /** `Date.now()` when the client last had no poll held; `null` while one is held. */
  idleSince: number | null;
}

/** A request of a client that is queued or delivered, and not answered. */
export interface Unanswered {
  request: ReverseRequest;
  delivered: boolean;
}

/** The hub's state, behind one small interface; `MemoryStore` is the default. */
export interface HubStore {
  addClient(record: ClientRecord): Promise<void> | void;
  getClient(id: string): Promise<ClientRecord | undefined> | ClientRecord | undefined;
  updateClient(id: string, changes: Partial<Omit<ClientRecord, 'id' | 'secret'>>): Promise<void> | void;
  /** Forgets a client; returns its unanswered requests. */
  removeClient(id: string): Promise<Unanswered[]> | Unanswered[];
  listClients(): Promise<ClientRecord[]> | ClientRecord[];
  /** How many clients there are, or how many came from `address`. */
  countClients(address?: string): Promise<number> | number;
  /** Queues a request unless `limit` are queued already; returns whether it did. */
  enqueue(clientId: string, request: ReverseRequest, limit: number): Promise<boolean> | boolean;
  /**
   * Takes every queued request, numbering first deliveries; they count as delivered now, to the
   * poll named `poll` when it has a name. A poll that had that name before was sent again by the
   * client's HTTP stack, its first copy's answer lost: what that copy was handed comes first.
   */
  take(clientId: string, poll?: string): Promise<ReverseRequest[]> | ReverseRequest[];
  /** Puts a batch that could not be handed over back in front of the queue, undelivered. */
  restore(clientId: string, batch: ReverseRequest[]): Promise<void> | void;
  /** Queues again, in order and ahead of new work, the delivered requests numbered above `ack`. */
  redeliver(clientId: string, ack: number): Promise<void> | void;
  /** Removes a request (answered, timed out, abandoned); returns what it was, if it was there. */
  settle(clientId: string, requestId: string): Promise<Unanswered | undefined> | Unanswered | undefined;
  /** The client's unanswered requests, oldest first. */
  unanswered(clientId: string): Promise<Unanswered[]> | Unanswered[];
  /** The highest sequence number given to the client so far (0: none). */
  lastSeq(clientId: string): Promise<number> | number;
}

/** An unanswered request in a `MemoryStore`, whether it waits in the queue (again), and the poll it was handed to. */
interface Entry extends Unanswered {
  queued: boolean;
  poll?: string | undefined;
}

/** One client's requests in a `MemoryStore`. */
interface Work {
  queue: ReverseRequest[];
  /**
   * Every unanswered request, queued or delivered, by id (in the order they came); `NONE_OPEN`
   * while there are none, so that an idle client holds no map of its own.
   */
  open: Map<string, Entry>;
  lastSeq: number;
}

/** The `open` of every client with no unanswered request: never written to. */
const NONE_OPEN: ReadonlyMap<string, Entry> = new Map();

const unanswered = ({ request, delivered }: Entry): Unanswered => ({ request, delivered });

/** The default store: this process's memory. Every change happens at once, when called. */
export class MemoryStore implements HubStore {
  readonly #clients = new Map<string, ClientRecord>();
  readonly #work = new Map<string, Work>();
  readonly #perAddress = new Map<string, number>();

  addClient(record: ClientRecord): void {
    this.#clients.set(record.id, { ...record });
    this.#work.set(record.id, { queue: [], open: NONE_OPEN as Map<string, Entry>, lastSeq: 0 });
    this.#perAddress.set(record.address, (this.#perAddress.get(record.address) ?? 0) + 1);
  }

  getClient(id: string): ClientRecord | undefined {
    const record = this.#clients.get(id);
    return record && { ...record };
  }

  updateClient(id: string, changes: Partial<Omit<ClientRecord, 'id' | 'secret'>>): void {
    const record = this.#clients.get(id);
    if (record) Object.assign(record, changes);
  }

  removeClient(id: string): Unanswered[] {
    const record = this.#clients.get(id);
    if (!record) return [];
    this.#clients.delete(id);
    const left = (this.#perAddress.get(record.address) ?? 1) - 1;
    if (left > 0) this.#perAddress.set(record.address, left);
    else this.#perAddress.delete(record.address);
    const work = this.#work.get(id);
    this.#work.delete(id);
    return work ? Array.from(work.open.values(), unanswered) : [];
  }

  listClients(): ClientRecord[] {
    return Array.from(this.#clients.values(), (record) => ({ ...record }));
  }

  countClients(address?: string): number {
    return address === undefined ? this.#clients.size : (this.#perAddress.get(address) ?? 0);
  }

  enqueue(clientId: string, request: ReverseRequest, limit: number): boolean {
    const work = this.#work.get(clientId);
    if (!work || work.queue.length >= limit) return false;
    work.queue.push(request);
    if (work.open === NONE_OPEN) work.open = new Map();
    work.open.set(request.id, { request, delivered: false, queued: true });
    return true;
  }

  take(clientId: string, poll?: string): ReverseRequest[] {
    const work = this.#work.get(clientId);
    if (!work) return [];
    // A new array rather than splice(0): the queue of an idle client keeps no room for elements.
    let batch = work.queue;
    if (batch.length > 0) work.queue = [];
    // Requests out (delivered, not queued again) are only looked through when there are any.
    if (poll !== undefined && work.open.size > batch.length) {
      const lost = Array.from(work.open.values())
        .filter((entry) => entry.poll === poll && entry.delivered && !entry.queued)
        .sort((a, b) => (a.request.seq ?? 0) - (b.request.seq ?? 0));
      if (lost.length > 0) batch = [...lost.map((entry) => entry.request), ...batch];
    }
    for (const request of batch) {
      request.seq ??= ++work.lastSeq;
      const entry = work.open.get(request.id);
      if (entry) {
        entry.delivered = true;
        entry.queued = false;
        entry.poll = poll;
      }
    }
    return batch;
  }

  restore(clientId: string, batch: ReverseRequest[]): void {
    const work = this.#work.get(clientId);
    if (!work) return;
    // Only what is still unanswered goes back: a caller may have given up meanwhile.
    const back = batch.filter((request) => work.open.has(request.id));
    for (const request of back) {
      const entry = work.open.get(request.id);
      if (entry) {
        entry.delivered = false;
        entry.queued = true;
        entry.poll = undefined;
      }
    }
    work.queue.unshift(...back);
  }

  redeliver(clientId: string, ack: number): void {
    const work = this.#work.get(clientId);
    if (!work) return;
    const lost = Array.from(work.open.values())
      .filter((entry) => entry.delivered && !entry.queued && (entry.request.seq ?? 0) > ack)
      .sort((a, b) => (a.request.seq ?? 0) - (b.request.seq ?? 0));
    for (const entry of lost) entry.queued = true;
    work.queue.unshift(...lost.map((entry) => entry.request));
  }

  settle(clientId: string, requestId: string): Unanswered | undefined {
    const work = this.#work.get(clientId);
    const entry = work?.open.get(requestId);
    if (!work || !entry) return undefined;
    work.open.delete(requestId);
    if (work.open.size === 0) work.open = NONE_OPEN as Map<string, Entry>;
    if (entry.queued) {
      const index = work.queue.findIndex((request) => request.id === requestId);
      if (index >= 0) work.queue.splice(index, 1);
    }
    return unanswered(entry);
  }

  unanswered(clientId: string): Unanswered[] {
    return Array.from(this.#work.get(clientId)?.open.values() ?? [], unanswered);
  }

  lastSeq(clientId: string): number {
    return this.#work.get(clientId)?.lastSeq ?? 0;
  }
}
