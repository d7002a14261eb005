/**
 * A `Response` whose body is written a line at a time while it is open: a streamed poll's
 * batches. Its body is a real stream, so any server that takes a fetch `Response` (Bun, Deno,
 * the node adapter) sends each line as it comes; `close()` ends it, and `onCancel` runs when
 * whoever reads it goes away first.
 */

const encoder = new TextEncoder();

/** See the module comment. */
export class LineResponse extends Response {
  readonly #lines: ReadableStreamDefaultController<Uint8Array>;
  #closed = false;
  onCancel: () => void = () => {};

  constructor(init: ResponseInit) {
    let lines!: ReadableStreamDefaultController<Uint8Array>;
    let cancel = () => {};
    super(
      new ReadableStream<Uint8Array>({
        start: (controller) => {
          lines = controller;
        },
        cancel: () => cancel(),
      }),
      init,
    );
    this.#lines = lines;
    cancel = () => {
      this.#closed = true;
      this.onCancel();
    };
  }

  /** Writes one piece of the body (a line, with its `\n`). */
  push(text: string): void {
    if (!this.#closed) this.#lines.enqueue(encoder.encode(text));
  }

  /** Ends the body. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#lines.close();
  }
}
