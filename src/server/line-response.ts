/**
 * A `Response` whose body is written a line at a time while it is open: a streamed poll's
 * batches. The node adapter writes each line to the socket as it comes, with no stream in
 * between; anyone else reads `body`, a stream made at the first ask that gets every line pushed
 * so far and every later one. `close()` ends the body; `onCancel` runs when the reader of the
 * body goes away before that (the node adapter's caller watches its socket instead).
 */

/** Where the node adapter writes the lines. */
export interface LineSink {
  write(text: string): void;
  end(): void;
}

const encoder = new TextEncoder();

/** See the module comment. */
export class LineResponse extends Response {
  /** Lines pushed before anyone took the body. */
  #pending: string[] = [];
  #sink: LineSink | null = null;
  #closed = false;
  #stream: ReadableStream<Uint8Array<ArrayBuffer>> | null = null;
  onCancel: () => void = () => {};

  constructor(init: ResponseInit) {
    super(null, init);
  }

  /** Writes one piece of the body (a line, with its `\n`). */
  push(text: string): void {
    if (this.#closed) return;
    if (this.#sink === null) this.#pending.push(text);
    else this.#sink.write(text);
  }

  /** Ends the body. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#sink?.end();
  }

  /** Sends the body to `sink`: what was pushed already, then every later piece (once). */
  pipeTo(sink: LineSink): void {
    if (this.#sink !== null) throw new TypeError('Body is unusable: Body has already been read');
    this.#sink = sink;
    for (const text of this.#pending.splice(0)) sink.write(text);
    if (this.#closed) sink.end();
  }

  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> {
    if (this.#stream !== null) return this.#stream;
    let controller!: ReadableStreamDefaultController<Uint8Array<ArrayBuffer>>;
    this.#stream = new ReadableStream<Uint8Array<ArrayBuffer>>({
      start: (c) => {
        controller = c;
      },
      cancel: () => {
        this.#closed = true;
        this.onCancel();
      },
    });
    this.pipeTo({ write: (text) => controller.enqueue(encoder.encode(text)), end: () => controller.close() });
    return this.#stream;
  }

  override get bodyUsed(): boolean {
    return this.#sink !== null && (this.#stream === null || this.#stream.locked);
  }

  override async text(): Promise<string> {
    return new Response(this.body).text();
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    return new Response(this.body).arrayBuffer();
  }

  override async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
}
