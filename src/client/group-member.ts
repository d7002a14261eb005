/**
 * The members of a tab group and what the tabs say to each other: a member's card (enough to
 * poll for it), the callbacks of a member's connection, the messages on the group's
 * BroadcastChannel, and the seat the leader keeps for each member.
 */
import type { ReverseRequest, ReverseResponse } from '../protocol/message.ts';
import type { DeliveryLog } from './delivery-log.ts';

/** What the group knows of one tab's connection: enough to poll for it. */
export interface MemberCard {
  id: string;
  secret: string;
  /** The tab's page load; also the name of the Web Lock the tab holds while it lives. */
  instance: string;
  /** The tab's acknowledgement when it (re)joins: what it has received so far. */
  ack: number;
  holdMs: number;
  /** The hub's limit of one body, as it told the tab (`Infinity` before): uploads stay within it. */
  maxBodyBytes: number;
}

/** A tab's own connection, as the group calls it back. */
export interface GroupMember {
  card(): MemberCard;
  /** Requests for client `id` (ignored when the member has another id by now). */
  receive(id: string, requests: ReverseRequest[]): void;
  /** The hub refused client `id` in a shared poll (404, 403, 409): connect again. */
  refused(id: string, status: number, detail: string): void;
  /** The shared poll failed; the leader retries it. */
  failed(reason: string): void;
  /** The shared poll works again after failing. */
  recovered(): void;
  /**
   * The shared poll has no seat left for this member (the hub takes `MAX_SHARED_CLIENTS` clients
   * in one): it polls alone from now on, and takes back the answers it handed over.
   */
  full(responses: ReverseResponse[]): void;
}

/** A message on the group's channel (or handed to this tab's own members directly). */
export type Message =
  | { type: 'join'; card: MemberCard }
  | { type: 'answers'; card: MemberCard; responses: ReverseResponse[] }
  | { type: 'leave'; instance: string }
  | { type: 'leader' }
  | { type: 'requests'; instance: string; id: string; requests: ReverseRequest[] }
  | { type: 'refused'; instance: string; id: string; status: number; detail: string }
  | { type: 'full'; instance: string; responses: ReverseResponse[] }
  | { type: 'failed'; reason: string }
  | { type: 'recovered' };

/** What the leader keeps per member. */
export interface Seat {
  card: MemberCard;
  outbox: ReverseResponse[];
  /** Tracks what was handed to the member, for the acknowledgement. */
  delivery: DeliveryLog;
  /** Ask the hub to deliver again: a poll carrying this member failed, or a new leader took it. */
  retry: boolean;
  /**
   * A new seat's first poll asks again for everything still unanswered, acknowledged or not (its
   * `ack` is 0): the answers the previous leader held, and the member gave up, died with it.
   */
  askAll: boolean;
  /** Stops watching the member's lock when the member leaves first. */
  watch: AbortController;
}
