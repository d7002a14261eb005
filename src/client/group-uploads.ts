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

/** In how many uploads refused with a 4xx (not 408, 413 nor 429), carrying it alone, an answer goes before it is dropped. */
export const REFUSALS_BEFORE_DROP = 3;

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
      // A suspect (see `dropped`) goes alone: first, or in another upload.
      if (this.#suspects.has(seat.outbox[0] as ReverseResponse)) {
        if (answers.size > 0) continue;
        const { taken, bytes } = takeWithin(seat.outbox, 0, true, 1);
        answers.set(seat, taken);
        return { answers, bytes };
      }
      const clean = seat.outbox.findIndex((answer) => this.#suspects.has(answer));
      const { taken, bytes } = takeWithin(
        seat.outbox,
        budget,
        answers.size === 0,
        clean < 0 ? seat.outbox.length : clean,
      );
      if (taken.length === 0) continue;
      answers.set(seat, taken);
      budget -= bytes;
      used += bytes;
    }
    return { answers, bytes: used };
  }

  /** How many times each answer was refused with a 4xx another try does not cure, sent alone. */
  readonly #refusals = new WeakMap<ReverseResponse, number>();
  /** Answers that were in an upload so refused with others: each goes alone until the hub takes it or it is dropped. */
  readonly #suspects = new WeakSet<ReverseResponse>();

  /**
   * Which of the `answers` of an upload (`bytes` by `takeWithin`'s count) that failed with
   * `error` must be dropped, as they would fail the same way again:
   * - a single answer too large for any upload (413). A 413 for several caps uploads at half of
   *   this one from now on (a proxy on the way may read less than the hub); they go again;
   * - an answer refused with another 4xx (a body the hub cannot read) in its
   *   `REFUSALS_BEFORE_DROP`th upload carrying it alone: once is worth another try, but one
   *   answer must not hold back every answer of the group for ever. The answers of an upload of
   *   several so refused each go alone from then on (see `take`), so that the others are not
   *   dropped with the one at fault; answers that come later go together as before.
   * Any other failure (a 408 on a slow upload, a 429, a network error, a 5xx) drops nothing.
   */
  dropped(error: unknown, answers: readonly ReverseResponse[], bytes: number): Set<ReverseResponse> {
    const drop = new Set<ReverseResponse>();
    if (!(error instanceof HubRefused) || error.status < 400 || error.status > 499) return drop;
    if (error.status === 413) {
      if (answers.length === 1) drop.add(answers[0] as ReverseResponse);
      else if (bytes > 0 && Number.isFinite(bytes)) this.#cap = Math.min(this.#cap, bytes / 2);
      return drop;
    }
    if (error.status === 408 || error.status === 429 || answers.length === 0) return drop;
    if (answers.length > 1) {
      for (const answer of answers) this.#suspects.add(answer);
      return drop;
    }
    const answer = answers[0] as ReverseResponse;
    const refusals = (this.#refusals.get(answer) ?? 0) + 1;
    this.#refusals.set(answer, refusals);
    if (refusals >= REFUSALS_BEFORE_DROP) drop.add(answer);
    return drop;
  }

  /** Lifts the cap (`wake()`: the page may be on another network now). */
  reset(): void {
    this.#cap = Number.POSITIVE_INFINITY;
  }
}
