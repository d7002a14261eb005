/**
 * Tabs of one origin share one long poll. HTTP/1.1 gives a browser six connections per host, so
 * a seventh tab holding its own poll would wait for a free one. The tabs elect a leader with a
 * Web Lock; the leader holds one shared poll (`POST {endpoint}/poll`) for every tab, hands each
 * tab its requests over a BroadcastChannel and uploads their answers on its next poll. When the
 * leader goes, the next tab in the lock's queue takes over and asks everyone to join again.
 * A tab that polls alone (`soloGroup`) is a group of one connection, with no channel. This module
 * holds the election, the channel's routing and the leader's poll loop; the members, their
 * messages and the leader's seats are typed in group-member.ts, the locks are in locks.ts, the
 * sizing of each upload in group-uploads.ts and whether to ask for streams in stream-choice.ts.
 */
import { debug } from '../protocol/debug.ts';
import { decodeWireRequest, encodeWireResponse } from '../protocol/json-codec.ts';
import { MAX_SHARED_CLIENTS, type SharedPollBody, type SharedPollReply } from '../protocol/long-poll-wire.ts';
import type { ReverseRequest, ReverseResponse } from '../protocol/message.ts';
import { revived } from '../protocol/text-response.ts';
import { DeliveryLog } from './delivery-log.ts';
import type { GroupMember, MemberCard, Message, Seat } from './group-member.ts';
import { GroupUploads } from './group-uploads.ts';
import { arrivalOf, HubRefused, LinesHeldBack, pollNames, StreamCut, sharedPollHub } from './hub-exchange.ts';
import { LineTiming } from './line-timing.ts';
import { browserLocks, type Locks, localLocks } from './locks.ts';
import { backoffDelay, DeadlineError, macrotask, withDeadline } from './scheduling.ts';
import { StreamChoice } from './stream-choice.ts';

// Pure: with the DEBUG: calls dropped, the bundler drops the logger too.
const log = /* @__PURE__ */ debug('ptth:tab-group');

/** How much longer than the hub's hold a shared poll may take before it counts as dead. */
const POLL_MARGIN_MS = 10_000;
/**
 * A streamed line that comes this much later than the hub wrote it (by its `at`) was held up on
 * the way, by a proxy that buffers: the group polls without streaming from then on.
 */
export const LATE_MS = 3_000;
/**
 * Answers-only posts out at once: two, so that the next answer need not wait for the hub's reply
 * to the last (it comes after the requests that answer wakes), and a burst still rides in few.
 */
const MAX_POSTS = 2;
/** The longest an answers-only post (answered at once) may take. */
const POST_DEADLINE_MS = 20_000;

/** The leader's settings (the first tab's options): the delays of its retries, and streaming. */
export interface GroupOptions {
  minBackoffMs: number;
  maxBackoffMs: number;
  /** Ask for streamed polls (default true); see `LongPollOptions.stream`. */
  stream?: boolean;
  /** How much longer than the hold a poll may take before it counts as dead (default 10 s; tests shorten it). */
  pollMarginMs?: number;
  /** How long after it stopped asking for streams the group first asks again (default 1 minute; tests shorten it). */
  streamRetryMs?: number;
}

/** One tab's part in the group of its origin's tabs for one endpoint. */
export class TabGroup {
  readonly #base: string;
  readonly #locks: Locks;
  /** The other tabs, or `null` for a group of this tab alone (`soloGroup`). */
  readonly #channel: BroadcastChannel | null;
  readonly #members = new Map<string, GroupMember>();
  /** Releases, per member, the lock whose release tells the leader the member is gone. */
  readonly #leaving = new Map<string, AbortController>();
  readonly #closed = new AbortController();
  #leader = false;
  readonly #seats = new Map<string, Seat>();
  #polls = 0;
  /** Polls sent so far: a stream that ends with a later one sent was taken over, not cut. */
  #pollsSent = 0;
  #pollQueued = false;
  /** Something a poll must carry (a seat, answers, a retry) came since the last poll was sent. */
  #dirty = false;
  #attempt = 0;
  /** The last shared poll failed; the members are told when one works again. */
  #failing = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  readonly #options: GroupOptions;
  /** Whether polls ask to be streamed (see `LongPollOptions.stream`). */
  readonly #streams: StreamChoice;
  /** The seats the streamed poll that is open holds (its lines flow), or `null`. */
  #open: Set<Seat> | null = null;
  /** How much each upload carries. */
  readonly #uploads = new GroupUploads();
  /** Until when (`performance.now()`) a failure holds polls back; 0 when none does. */
  #resumeAt = 0;
  /** Until when the hub's `Retry-After` holds polls back, even `wake()`'s. */
  #notBefore = 0;
  /** Answers-only posts (`#post`) out. */
  #posting = 0;
  /** Names each shared poll, so the hub knows one the browser sent twice. */
  readonly #pollName = pollNames();

  constructor(
    base: string,
    locks: Locks,
    options: GroupOptions = { minBackoffMs: 500, maxBackoffMs: 30_000 },
    { shared = true } = {},
  ) {
    this.#base = base;
    this.#options = options;
    this.#streams = new StreamChoice(options.stream !== false, options.streamRetryMs);
    this.#locks = locks;
    this.#channel = shared ? new BroadcastChannel(`ptth:${base}`) : null;
    if (this.#channel) this.#channel.onmessage = (event: MessageEvent<Message>) => this.#onMessage(event.data);
    // A group of one connection has nobody to elect: it leads at once, so the answers its member
    // hands over from the start (those it took back from a full shared poll) have a seat.
    if (!shared) {
      this.#lead();
      return;
    }
    const signal = this.#closed.signal;
    void locks
      .request(`ptth:${base}`, { signal }, async () => {
        if (signal.aborted) return;
        this.#lead();
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      })
      .catch(() => {});
  }

  /** Whether this tab holds the shared poll. */
  get leader(): boolean {
    return this.#leader;
  }

  /** The endpoint (absolute) the group polls. */
  get base(): string {
    return this.#base;
  }

  /** Whether the group is the origin's tabs' (else this connection's alone, `soloGroup`). */
  get shared(): boolean {
    return this.#channel !== null;
  }

  /** Adds this tab's connection (again, after each connect): the leader polls for it. */
  join(member: GroupMember): void {
    const card = member.card();
    if (!this.#members.has(card.instance)) {
      // The lock that tells the leader this tab is gone: held until it leaves or closes.
      const gone = new AbortController();
      void this.#locks.request(`ptth:${this.#base}:tab:${card.instance}`, {}, () => {
        if (this.#members.get(card.instance) !== member) return;
        return new Promise<void>((resolve) => gone.signal.addEventListener('abort', () => resolve(), { once: true }));
      });
      this.#leaving.set(card.instance, gone);
    }
    this.#members.set(card.instance, member);
    this.#send({ type: 'join', card });
  }

  /** Hands the answers of a member to the leader, for its next poll (at once when this tab leads). */
  answer(member: GroupMember, responses: ReverseResponse[]): void {
    if (responses.length === 0) return;
    const card = member.card();
    if (this.#leader && this.#members.has(card.instance) && !this.#closed.signal.aborted) {
      // This tab's own answers: no message, no second macrotask; they leave now.
      const seat = this.#seat(card, responses);
      if (seat === null) return;
      seat.outbox.push(...responses);
      void this.#poll();
      return;
    }
    this.#send({ type: 'answers', card, responses });
  }

  /** A member leaves the group (its connection closed). */
  leave(instance: string): void {
    this.#members.delete(instance);
    this.#leaving.get(instance)?.abort();
    this.#leaving.delete(instance);
    this.#send({ type: 'leave', instance });
    if (this.#members.size === 0) this.close();
  }

  /** Polls anew now (after sleep, or coming back online). */
  wake(): void {
    if (!this.#leader) return;
    this.#streams.wake();
    this.#uploads.reset();
    this.#attempt = 0;
    for (const seat of this.#seats.values()) seat.retry = true;
    // The hub's Retry-After still holds: the poll waits for what is left of it.
    const now = performance.now();
    if (this.#notBefore > now) this.#resumeLater(this.#notBefore, now);
    else {
      clearTimeout(this.#timer);
      this.#resumeAt = 0;
      this.#schedulePoll();
    }
  }

  /** Leaves the group for good: another tab takes the lead. */
  close(): void {
    this.#closed.abort();
    for (const gone of this.#leaving.values()) gone.abort();
    clearTimeout(this.#timer);
    this.#channel?.close();
    this.#leader = false;
    if (groups.get(this.#base) === this) groups.delete(this.#base);
  }

  /**
   * Messages to the other tabs go over the channel; to this tab's own members, directly. A
   * message about one of this tab's members, handled by this tab, skips the channel: a lone tab
   * pays no structured clone per request.
   */
  #send(message: Message): void {
    if (this.#closed.signal.aborted) return;
    const local =
      ((message.type === 'requests' || message.type === 'refused' || message.type === 'full') &&
        this.#members.has(message.instance)) ||
      ((message.type === 'answers' || message.type === 'join') &&
        this.#leader &&
        this.#members.has(message.card.instance));
    if (!local) this.#channel?.postMessage(message);
    this.#onMessage(message);
  }

  #onMessage(message: Message): void {
    switch (message.type) {
      case 'leader':
        for (const member of this.#members.values()) this.#channel?.postMessage({ type: 'join', card: member.card() });
        return;
      case 'requests':
        this.#members.get(message.instance)?.receive(message.id, message.requests);
        return;
      case 'refused':
        this.#members.get(message.instance)?.refused(message.id, message.status, message.detail);
        return;
      case 'failed':
        for (const member of this.#members.values()) member.failed(message.reason);
        return;
      case 'recovered':
        for (const member of this.#members.values()) member.recovered();
        return;
      case 'full':
        this.#members.get(message.instance)?.full(message.responses.map(revived));
        return;
    }
    if (!this.#leader) return;
    if (message.type === 'leave') {
      this.#unseat(message.instance);
      return;
    }
    // A card without an id (its tab is connecting again) would make the hub refuse the whole poll.
    if (message.card.id === '') return;
    // Answers from another tab come through the channel: a structured clone of each.
    const responses = message.type === 'answers' ? message.responses.map(revived) : [];
    const seat = this.#seat(message.card, responses);
    if (seat === null) return;
    seat.outbox.push(...responses);
    this.#schedulePoll();
  }

  #lead(): void {
    DEBUG: log('leading');
    this.#leader = true;
    this.#channel?.postMessage({ type: 'leader' } satisfies Message);
    for (const member of this.#members.values()) {
      const card = member.card();
      // A member connecting again has no id yet: it joins once it has one.
      if (card.id !== '') this.#seat(card);
    }
    this.#schedulePoll();
  }

  /**
   * The leader's seat for a member; a new seat (or a new id in it) starts by asking again. `null`
   * when the poll has no seat left (the hub takes `MAX_SHARED_CLIENTS`): the member is told to poll
   * alone, and is handed back `responses`, the answers it brought.
   */
  #seat(card: MemberCard, responses: ReverseResponse[] = []): Seat | null {
    let seat = this.#seats.get(card.instance);
    if (!seat && this.#seats.size >= MAX_SHARED_CLIENTS) {
      DEBUG: log('no seat left for', card.instance);
      this.#send({ type: 'full', instance: card.instance, responses });
      return null;
    }
    if (!seat || seat.card.id !== card.id) {
      seat?.watch.abort();
      const watch = new AbortController();
      seat = { card, outbox: [], delivery: new DeliveryLog(card.ack), retry: true, askAll: true, watch };
      this.#seats.set(card.instance, seat);
      // Granted only once the member's tab released its lock: it closed or crashed.
      void this.#locks
        .request(`ptth:${this.#base}:tab:${card.instance}`, { signal: watch.signal }, () => this.#unseat(card.instance))
        .catch(() => {});
    }
    seat.card = card;
    return seat;
  }

  #unseat(instance: string): void {
    const seat = this.#seats.get(instance);
    if (!seat) return;
    seat.watch.abort();
    this.#seats.delete(instance);
    DEBUG: log('unseated', instance);
    this.#schedulePoll();
  }

  #schedulePoll(): void {
    this.#dirty = true;
    if (this.#pollQueued || !this.#leader) return;
    this.#pollQueued = true;
    // A macrotask lets every answer that arrives in the same moment ride on one poll. A poll
    // sent meanwhile (this tab's own answers leave at once) may have carried it all already.
    macrotask(() => {
      this.#pollQueued = false;
      if (this.#dirty || this.#polls === 0) void this.#poll();
    });
  }

  async #poll(): Promise<void> {
    const seats = Array.from(this.#seats.values());
    if (!this.#leader || seats.length === 0 || this.#closed.signal.aborted) return;
    // Backing off: the timer polls (with whatever came meanwhile) when it is over.
    if (this.#resumeAt > performance.now()) return;
    this.#dirty = false;
    const open = this.#open;
    if (open !== null && open.size === seats.length && seats.every((seat) => open.has(seat) && !seat.retry)) {
      // The streamed poll holds every seat: answers go up on their own, and it stays open.
      void this.#post(seats);
      return;
    }
    clearTimeout(this.#timer);
    const { answers, bytes } = this.#uploads.take(seats);
    // A poll that takes a stream over asks again for what that stream carries after it was
    // sent: the stream may be cut on the way before it ends (the hub ends it before it sends again).
    const takeover = open !== null;
    const sent = seats.map((seat) => ({
      seat,
      responses: answers.get(seat) ?? [],
      retry: seat.retry || takeover,
      askAll: seat.askAll,
    }));
    const mine = ++this.#pollsSent;
    const body: SharedPollBody = {
      poll: this.#pollName(),
      clients: sent.map(({ seat, responses, retry }) => ({
        id: seat.card.id,
        instance: seat.card.instance,
        ack: seat.askAll ? 0 : seat.delivery.ack,
        ...(retry ? { retry: true } : {}),
        responses: responses.map(encodeWireResponse),
      })),
    };
    const holdMs = Math.max(...seats.map((seat) => seat.card.holdMs));
    const stream = this.#streams.next();
    const sentAt = performance.now();
    let taken = false;
    let opened: Set<Seat> | null = null;
    const timing = stream ? new LineTiming(sentAt, holdMs, LATE_MS) : null;
    this.#polls++;
    // Answers that did not fit go at once on a post of their own: the poll may be held a while.
    if (seats.some((seat) => seat.outbox.length > 0)) void this.#post(seats);
    try {
      const cards = seats.map((seat) => seat.card);
      const deadline = holdMs + (this.#options.pollMarginMs ?? POLL_MARGIN_MS);
      await withDeadline(this.#closed.signal, deadline, async (signal, alive) => {
        const replies = await sharedPollHub(this.#base, cards, body, signal, stream, LATE_MS, () => {
          taken = true;
          this.#taken(sent);
        });
        if (!Array.isArray(replies)) opened = this.#open = new Set(seats);
        for await (const reply of replies) {
          alive();
          if (timing?.late(reply, arrivalOf(reply))) {
            DEBUG: log('a streamed line came late');
            this.#streams.stop();
          }
          this.#deliver(reply);
        }
      });
    } catch (error) {
      this.#polls--;
      if (opened !== null && this.#open === opened) this.#open = null;
      if (this.#closed.signal.aborted) return;
      // A streamed poll that ran out of time (a proxy held it back, or the connection died), or
      // that ended before its first line (cut on the way, or by something that lets no stream
      // through). Polls that are not streamed work either way (streams are asked for again later).
      if (stream && (error instanceof DeadlineError || error instanceof StreamCut)) {
        DEBUG: log('a streamed poll failed:', error.message);
        this.#streams.stop();
        if (error instanceof LinesHeldBack) {
          // Its first line never came: the hub answered (it took the answers), the way to it
          // holds lines back. Poll again at once without a stream, asking for what that stream
          // may have carried.
          for (const { seat } of sent) seat.retry = true;
          this.#schedulePoll();
          return;
        }
      }
      this.#uploadFailed(sent, error, bytes, taken);
      return;
    }
    this.#polls--;
    if (opened !== null && this.#open === opened) this.#open = null;
    if (opened !== null && this.#pollsSent === mine) this.#streamEnded(sent, sentAt, holdMs);
    // A stream that flowed for a whole hold, no line late: the next time streams stop, they are
    // tried again soon.
    // (The hub may end a hold a few ms early, and counts it from the poll's head.)
    if (timing !== null && !timing.heldBack && this.#streams.on && performance.now() - sentAt >= holdMs * 0.9) {
      this.#streams.flowed();
    }
    if (this.#polls === 0 || seats.some((seat) => seat.outbox.length > 0)) this.#schedulePoll();
  }

  /**
   * A streamed poll that no later poll took over ended with no error. A connection cut at the
   * end of a line can look like that: the next poll asks again for what it may have carried (the
   * hub sends again what the acknowledgement lacks). One that ended long before its hold was cut,
   * or something on the way lets no stream through: streams stop (asked for again later), or
   * each poll would end at once, a loop.
   */
  #streamEnded(sent: readonly { seat: Seat }[], sentAt: number, holdMs: number): void {
    for (const { seat } of sent) seat.retry = true;
    if (performance.now() - sentAt < holdMs / 2) {
      DEBUG: log('a streamed poll ended long before its hold');
      this.#streams.stop();
    }
  }

  /**
   * Sends the seats' answers while the streamed poll stays open (`hold: false`: the hub takes
   * them and answers at once), at most `MAX_POSTS` at a time: answers that come meanwhile wait
   * for the next, so a burst of them rides in a few posts. A post that fails leaves its answers for
   * a poll that asks again.
   */
  async #post(seats: readonly Seat[]): Promise<void> {
    if (this.#posting >= MAX_POSTS) return;
    const { answers, bytes } = this.#uploads.take(seats);
    const sent = Array.from(answers, ([seat, responses]) => ({ seat, responses }));
    if (sent.length === 0) return;
    this.#posting++;
    const body: SharedPollBody = {
      hold: false,
      clients: sent.map(({ seat, responses }) => ({
        id: seat.card.id,
        instance: seat.card.instance,
        ack: seat.delivery.ack,
        responses: responses.map(encodeWireResponse),
      })),
    };
    const cards = sent.map(({ seat }) => seat.card);
    try {
      const replies = await withDeadline(this.#closed.signal, POST_DEADLINE_MS, (signal) =>
        sharedPollHub(this.#base, cards, body, signal),
      );
      for await (const reply of replies) this.#deliver(reply);
    } catch (error) {
      this.#posting--;
      if (!this.#closed.signal.aborted) this.#uploadFailed(sent, error, bytes, false);
      return;
    }
    this.#posting--;
    if (seats.some((seat) => seat.outbox.length > 0 || seat.retry)) this.#schedulePoll();
  }

  /**
   * A poll or a post of answers (`sent`, `bytes` by `takeWithin`'s count) failed: the hub may not
   * have read its answers, and its reply may be lost, so they go back to their seats (unless the
   * hub took them, or refused them as too large) and every seat asks again.
   */
  #uploadFailed(
    sent: readonly { seat: Seat; responses: ReverseResponse[] }[],
    error: unknown,
    bytes: number,
    taken: boolean,
  ): void {
    const dropped = this.#uploads.dropped(
      error,
      sent.flatMap(({ responses }) => responses),
      bytes,
    );
    for (const { seat, responses } of sent) {
      if (!taken) seat.outbox.unshift(...responses.filter((response) => !dropped.has(response)));
      seat.retry = true;
    }
    this.#failed(error, dropped.size);
  }

  /**
   * A poll or a post of answers failed: the members hear it, and the next poll waits for the
   * backoff and for the hub's `Retry-After` (answers that come meanwhile wait with it).
   */
  #failed(error: unknown, dropped = 0): void {
    const reason =
      (error instanceof Error ? error.message : 'shared poll failed') +
      (dropped > 0 ? `; ${dropped} responses dropped` : '');
    this.#failing = true;
    this.#send({ type: 'failed', reason });
    const backoff = backoffDelay(this.#attempt++, this.#options.minBackoffMs, this.#options.maxBackoffMs);
    const now = performance.now();
    // A failure that comes during another's backoff (a post and the poll, say) never shortens it:
    // an earlier Retry-After still holds.
    const retryAfter = error instanceof HubRefused ? error.retryAfterMs : 0;
    if (retryAfter > 0) this.#notBefore = Math.max(this.#notBefore, now + retryAfter);
    const at = Math.max(this.#resumeAt, now + backoff, this.#notBefore);
    DEBUG: log('backoff', Math.round(at - now), 'ms after', reason);
    this.#resumeLater(at, now);
  }

  /** Holds polls back until `at` (`performance.now()`), then polls with whatever came meanwhile. */
  #resumeLater(at: number, now: number): void {
    this.#resumeAt = at;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#resumeAt = 0;
      void this.#poll();
    }, at - now);
  }

  /** The hub took a poll (200): what it carried is delivered, the members are told it works. */
  #taken(sent: readonly { seat: Seat; retry: boolean; askAll: boolean }[]): void {
    if (this.#failing) this.#send({ type: 'recovered' });
    this.#failing = false;
    this.#attempt = 0;
    for (const { seat, retry, askAll } of sent) {
      if (retry) seat.retry = false;
      if (askAll) seat.askAll = false;
    }
  }

  #deliver(reply: SharedPollReply): void {
    const byClient = new Map<Seat, ReverseRequest[]>();
    const seats = Array.from(this.#seats.values());
    for (const wire of reply.requests) {
      const seat = seats.find((candidate) => candidate.card.id === wire.client);
      if (!seat) continue;
      const request = decodeWireRequest(wire);
      seat.delivery.arrive(request);
      const requests = byClient.get(seat);
      if (requests === undefined) byClient.set(seat, [request]);
      else requests.push(request);
    }
    for (const [seat, requests] of byClient) {
      this.#send({ type: 'requests', instance: seat.card.instance, id: seat.card.id, requests });
    }
    for (const refusal of reply.refused) {
      const seat = seats.find((candidate) => candidate.card.id === refusal.client);
      if (!seat) continue;
      this.#unseat(seat.card.instance);
      const { status, detail } = refusal;
      this.#send({ type: 'refused', instance: seat.card.instance, id: seat.card.id, status, detail });
    }
  }
}

const groups = new Map<string, TabGroup>();

/** This tab's group for an endpoint (absolute URL), or `null` where tabs cannot share a poll. */
export function tabGroup(base: string, options: GroupOptions, locks: Locks | null = browserLocks()): TabGroup | null {
  let group = groups.get(base);
  if (!group) {
    if (locks === null) return null;
    group = new TabGroup(base, locks, options);
    groups.set(base, group);
  }
  return group;
}

/**
 * A group of one connection alone, for a tab that polls on its own (`shared: false`, or no Web
 * Locks: an insecure context, Node): the same shared poll, streamed, with its answer posts and
 * fallbacks, but no other tab, no channel and locks of its own. Each call makes a new one.
 */
export function soloGroup(base: string, options: GroupOptions): TabGroup {
  return new TabGroup(base, localLocks(), options, { shared: false });
}
