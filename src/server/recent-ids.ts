/**
 * A bounded record of the reverse requests a client was sent and that are finished (answered,
 * timed out, aborted): an answer naming one of them is a harmless late duplicate; an answer
 * naming anything else was never this client's to give (issue 5). The hub's request ids end in a
 * base-36 counter (`<prefix>.<n>`), so the record keeps numbers, 8 bytes each, in a ring that
 * grows up to `capacity` (the page remembers its last 1,000 answers; this covers them).
 */

/** The most finished requests remembered per client. */
export const RECENT_IDS_CAPACITY = 1_024;

/** The finished requests of one client; see the module comment. */
export class RecentIds {
  #ring = new Float64Array(16);
  #next = 0;
  #filled = 0;

  constructor(
    /** The hub's id prefix; ids without it were never made by this hub. */
    readonly prefix: string,
    readonly capacity = RECENT_IDS_CAPACITY,
  ) {}

  /** The counter of an id this hub made, or `NaN`. */
  #number(id: string): number {
    if (!id.startsWith(`${this.prefix}.`)) return Number.NaN;
    const digits = id.slice(this.prefix.length + 1);
    return /^[0-9a-z]{1,10}$/.test(digits) ? Number.parseInt(digits, 36) : Number.NaN;
  }

  /** Remembers that request `id` went to this client and is finished. */
  add(id: string): void {
    const n = this.#number(id);
    if (Number.isNaN(n)) return;
    if (this.#filled === this.#ring.length && this.#ring.length < this.capacity) {
      const grown = new Float64Array(Math.min(this.capacity, this.#ring.length * 2));
      grown.set(this.#ring);
      this.#next = this.#ring.length;
      this.#ring = grown;
    }
    this.#ring[this.#next] = n;
    this.#next = (this.#next + 1) % this.#ring.length;
    this.#filled = Math.min(this.#filled + 1, this.#ring.length);
  }

  /** Whether request `id` went to this client and finished (among the last `capacity`). */
  has(id: string): boolean {
    const n = this.#number(id);
    if (Number.isNaN(n)) return false;
    return this.#ring.subarray(0, this.#filled).includes(n);
  }
}
