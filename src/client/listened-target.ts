/**
 * An `EventTarget` that knows whether anyone may listen for an event type, so that an event
 * nobody hears is never made: a `CustomEvent` and its dispatch cost a page more than the rest of
 * reporting a served request. It errs one way only: a listener added with `once` or a `signal`
 * counts for good (its removal is not seen), so an event is sometimes made for nobody, never
 * withheld from a listener.
 */
export class ListenedTarget extends EventTarget {
  /** Per type, the listeners added plainly, by phase (bubble, capture), as `EventTarget` tells them apart. */
  readonly #plain = new Map<string, [Set<unknown>, Set<unknown>]>();
  /** Types that got a listener with `once` or a `signal`. */
  readonly #sticky = new Set<string>();

  override addEventListener(
    type: string,
    callback: EventListenerOrEventListenerObject | null,
    options?: AddEventListenerOptions | boolean,
  ): void {
    super.addEventListener(type, callback, options);
    if (callback === null) return;
    if (typeof options === 'object' && (options.once || options.signal)) this.#sticky.add(type);
    else this.#phases(type)[captures(options)].add(callback);
  }

  override removeEventListener(
    type: string,
    callback: EventListenerOrEventListenerObject | null,
    options?: EventListenerOptions | boolean,
  ): void {
    super.removeEventListener(type, callback, options);
    this.#plain.get(type)?.[captures(options)].delete(callback);
  }

  /** Whether a listener for `type` may be registered. */
  protected heard(type: string): boolean {
    if (this.#sticky.has(type)) return true;
    const phases = this.#plain.get(type);
    return phases !== undefined && (phases[0].size > 0 || phases[1].size > 0);
  }

  #phases(type: string): [Set<unknown>, Set<unknown>] {
    let phases = this.#plain.get(type);
    if (phases === undefined) {
      phases = [new Set(), new Set()];
      this.#plain.set(type, phases);
    }
    return phases;
  }
}

/** 1 for a capturing listener, 0 for a bubbling one, as `EventTarget` reads its options. */
function captures(options: EventListenerOptions | boolean | undefined): 0 | 1 {
  return (typeof options === 'boolean' ? options : options?.capture) ? 1 : 0;
}
