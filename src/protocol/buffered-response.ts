/**
 * A `Response` whose body is already in memory. Fetch's `Response` wraps every body in a
 * `ReadableStream` the moment it is made, and reading it back goes through a reader and its
 * promises: on ptth's hot paths that cost more than the rest of an answer (Node 20 also makes
 * each stream transferable). This one keeps the text or bytes it was given: `text()`,
 * `arrayBuffer()`, `bytes()`, `json()` and `blob()` read them directly, and a stream is made
 * only when someone asks for `body` (from then on it behaves exactly as a stream-backed
 * response). Status, headers, `bodyUsed` and `clone()` behave as with `new Response(body, init)`.
 */
import type { Bytes } from './message.ts';
import { type HeldBody, TAKE_BODY } from './read-body.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function toBytes(body: HeldBody): Bytes {
  return typeof body === 'string' ? encoder.encode(body) : body;
}

function unusable(): TypeError {
  return new TypeError('Body is unusable: Body has already been read');
}

/** Whether `headers` is an array of arrays of two: a list of fields `Headers` would take as is. */
function pairs(headers: HeadersInit | undefined): headers is [string, string][] {
  if (!Array.isArray(headers)) return false;
  for (let i = 0; i < headers.length; i++) {
    const field = headers[i];
    if (!Array.isArray(field) || field.length !== 2) return false;
  }
  return true;
}

/** See the module comment. The bytes given are taken as they are: do not change them afterwards. */
export class BufferedResponse extends Response {
  /** The body until it is read or streamed; `null` once it is, or when there is none. */
  #held: HeldBody | null;
  readonly #hasBody: boolean;
  #used = false;
  /** The stream-backed response this one became when its `body` was asked for. */
  #streamed: Response | null = null;

  constructor(body: HeldBody | null, init: ResponseInit = {}) {
    // Fields given as a list are appended one by one: the constructor copies a list of pairs
    // through WebIDL's sequence conversion first, which took 0.5 µs of the 1.2 µs of a small
    // answer's `Response` in Node 20 (and most of what it allocated). Same checks, same order.
    // Anything else (a record, Headers, other iterables, odd entries) goes to the constructor.
    const list = pairs(init.headers) ? init.headers : null;
    super(null, list === null ? init : { status: init.status, statusText: init.statusText });
    if (list !== null) {
      const headers = this.headers;
      for (let i = 0; i < list.length; i++) {
        const field = list[i] as [string, string];
        headers.append(field[0], field[1]);
      }
    }
    if (body !== null && (this.status === 204 || this.status === 205 || this.status === 304)) {
      throw new TypeError(`A response with status ${this.status} cannot have a body`);
    }
    this.#held = body;
    this.#hasBody = body !== null;
    // As `new Response('text')` does.
    if (typeof body === 'string' && !this.headers.has('content-type')) {
      this.headers.set('content-type', 'text/plain;charset=UTF-8');
    }
  }

  /** The held body, taken as reading takes it; `undefined` once read or streamed (see `takeBody`). */
  [TAKE_BODY](): HeldBody | null | undefined {
    return this.#streamed !== null || this.#used ? undefined : this.#take();
  }

  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    return this.#hasBody ? this.#stream().body : null;
  }

  override get bodyUsed(): boolean {
    return this.#streamed === null ? this.#used : this.#streamed.bodyUsed;
  }

  override async text(): Promise<string> {
    if (this.#streamed !== null) return this.#streamed.text();
    const held = this.#take();
    return held === null ? '' : typeof held === 'string' ? held : decoder.decode(held);
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    if (this.#streamed !== null) return this.#streamed.arrayBuffer();
    const bytes = this.#bytes();
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    return whole ? bytes.buffer : bytes.slice().buffer;
  }

  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    if (this.#streamed !== null) return new Uint8Array(await this.#streamed.arrayBuffer());
    return this.#bytes();
  }

  override async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  override async blob(): Promise<Blob> {
    if (this.#streamed !== null) return this.#streamed.blob();
    const type = this.headers.get('content-type') ?? '';
    return new Blob([this.#bytes()], { type });
  }

  override async formData(): Promise<FormData> {
    return this.#stream().formData();
  }

  override clone(): Response {
    if (this.#streamed !== null) return this.#streamed.clone();
    if (this.#used) throw new TypeError('Response.clone: Body has already been consumed.');
    const { status, statusText, headers } = this;
    const held = this.#held;
    const copy = held === null || typeof held === 'string' ? held : held.slice();
    return new BufferedResponse(copy, { status, statusText, headers });
  }

  /** Marks the body read and hands it over; a second read is a `TypeError`, as with any body. */
  #take(): HeldBody | null {
    if (!this.#hasBody) return null;
    if (this.#used) throw unusable();
    this.#used = true;
    const held = this.#held;
    this.#held = null;
    return held;
  }

  #bytes(): Bytes {
    const held = this.#take();
    return held === null ? new Uint8Array(0) : toBytes(held);
  }

  /** The stream-backed twin, made once: from the held body, or already read when it was read. */
  #stream(): Response {
    if (this.#streamed === null) {
      const { status, statusText, headers } = this;
      if (this.#used) {
        this.#streamed = new Response('', { status, statusText, headers });
        void this.#streamed.arrayBuffer();
      } else {
        const held = this.#held;
        this.#held = null;
        this.#streamed = new Response(held, { status, statusText, headers });
      }
    }
    return this.#streamed;
  }
}
