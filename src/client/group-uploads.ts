/**
 * How much a tab group's leader puts in one upload (a poll or a post of answers) for its seats:
 * at most what the hub reads (`uploadBudget` of the smallest `maxBodyBytes`), less after a proxy
 * on the way refused one as too large, and starting at the next seat each time.
 */
import type { ReverseResponse } from '../protocol/message.ts';
import type { Seat } from './group-member.ts';
import { HubRefused, takeWithin, uploadBudget } from './hub-exchange.ts';

/** The answers one upload carries, by seat (only seats with answers), and `takeWithin`'s count of their bytes. */
export interface Upload {
  answers: Map<Seat, ReverseResponse[]>;
  bytes: number;
}

export class GroupUploads {
  /** Where `take` starts next, among the seats. */
  #firstSeat = 0;
  /**
   * The most an upload carries besides the hub's limit: half of one the hub (or a proxy with a
   * lower limit) refused as too large (413) with several answers, and kept so until `reset()`.
   */
  #cap = Number.POSITIVE_INFINITY;

  /**
   * Takes the seats' answers that fit in one upload (see `takeWithin`): a burst of large answers
   * goes in several, and never as one body the hub would refuse again and again. Each upload
   * starts at the next seat, so that one with a long backlog does not keep the others waiting.
   */
  take(seats: readonly Seat[]): Upload {
    const answers = new Map<Seat, ReverseResponse[]>();
    let budget = Math.min(uploadBudget(Math.min(...seats.map((seat) => seat.card.maxBodyBytes))), this.#cap);
    let used = 0;
    const start = this.#firstSeat++ % Math.max(1, seats.length);
    for (let i = 0; i < seats.length; i++) {
      const seat = seats[(start + i) % seats.length] as Seat;
      if (seat.outbox.length === 0) continue;
      const { taken, bytes } = takeWithin(seat.outbox, budget, answers.size === 0);
      if (taken.length === 0) continue;
      answers.set(seat, taken);
      budget -= bytes;
      used += bytes;
    }
    return { answers, bytes: used };
  }

  /**
   * Whether an upload of `answers` answers (`bytes` by `takeWithin`'s count) that failed with
   * `error` must be dropped: a single answer too large for any upload (413), which would fail the
   * same way again. A 413 for several caps uploads at half of this one from now on (a proxy on
   * the way may read less than the hub); they go again. Any other failure (a 400 while a member
   * reconnects, a 408 on a slow upload) is worth another try after the backoff.
   */
  tooLarge(error: unknown, answers: number, bytes: number): boolean {
    if (!(error instanceof HubRefused) || error.status !== 413) return false;
    if (answers <= 1) return true;
    if (bytes > 0 && Number.isFinite(bytes)) this.#cap = Math.min(this.#cap, bytes / 2);
    return false;
  }

  /** Lifts the cap (`wake()`: the page may be on another network now). */
  reset(): void {
    this.#cap = Number.POSITIVE_INFINITY;
  }
}

/** How many answers a poll or a post carried. */
export function count(sent: readonly { responses: readonly unknown[] }[]): number {
  return sent.reduce((total, { responses }) => total + responses.length, 0);
}
