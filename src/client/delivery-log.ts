/**
 * The client's side of exactly-once delivery: which sequence numbers have arrived (so a
 * redelivered request is never run twice) and the answers to recent requests (so a redelivered
 * one is answered again from memory).
 */
import type { ReverseRequest, ReverseResponse } from '../protocol/message.ts';

/** How many answers are remembered for replay; older ones are forgotten first. */
export const REMEMBERED_ANSWERS = 1_000;

/** Arrivals and answers of one connection to one hub. */
export class DeliveryLog {
  /** Every sequence number up to this one has arrived. */
  #ack: number;
  /** Arrived sequence numbers above `ack` (polls can overtake each other). */
  readonly #above = new Set<number>();
  readonly #answers = new Map<string, ReverseResponse>();
  /** The remembered ids in the order they were answered, as a ring: the next to forget is at `#oldest`. */
  readonly #order: string[] = [];
  #oldest = 0;

  /** Starts after `ack`: numbers up to it went to an earlier page load. */
  constructor(ack = 0) {
    this.#ack = ack;
  }

  /** The cumulative acknowledgement to send with the next poll. */
  get ack(): number {
    return this.#ack;
  }

  /** Records an arrival; `false` when the request arrived before (a redelivery or a duplicate). */
  arrive(request: ReverseRequest): boolean {
    const seq = request.seq;
    if (seq === undefined) return true;
    if (seq <= this.#ack) return false;
    // The usual case, the next one in order with none ahead: no set to touch.
    if (seq === this.#ack + 1 && this.#above.size === 0) {
      this.#ack = seq;
      return true;
    }
    if (this.#above.has(seq)) return false;
    this.#above.add(seq);
    while (this.#above.delete(this.#ack + 1)) this.#ack++;
    return true;
  }

  /** Remembers the answer to a request, forgetting the oldest past `REMEMBERED_ANSWERS`. */
  remember(response: ReverseResponse): void {
    if (this.#answers.has(response.id)) {
      this.#answers.set(response.id, response);
      return;
    }
    this.#answers.set(response.id, response);
    if (this.#order.length < REMEMBERED_ANSWERS) {
      this.#order.push(response.id);
      return;
    }
    // Full: the new id takes the oldest one's place in the ring.
    this.#answers.delete(this.#order[this.#oldest] as string);
    this.#order[this.#oldest] = response.id;
    this.#oldest = (this.#oldest + 1) % REMEMBERED_ANSWERS;
  }

  /** The remembered answer to a request, if it was answered and not forgotten. */
  answer(id: string): ReverseResponse | undefined {
    return this.#answers.get(id);
  }
}
