/**
 * An incremental reader of pipelined HTTP/1.1 responses, for a byte stream such as a turned
 * PTTH socket: bytes come in chunks cut anywhere, and each complete response is handed out as
 * soon as its last byte arrives. The framing rules are those of `message-http.ts`.
 */
import { concatBytes } from './bytes.ts';
import { HttpError } from './http-error.ts';
import type { ReverseResponse } from './message.ts';
import { type ParsedBatch, parseResponseAt } from './message-http.ts';

/** Reads responses from chunks of a byte stream. */
export class ResponseStream {
  #buffer: Uint8Array = new Uint8Array(0);
  readonly #limit: number;
  #error: HttpError | null = null;

  /** `limit`: the most bytes one unfinished response may hold (head and body) before it is refused. */
  constructor(limit = Number.POSITIVE_INFINITY) {
    this.#limit = limit;
  }

  /** Bytes received and not yet part of a complete response. */
  get buffered(): number {
    return this.#buffer.length;
  }

  /**
   * Adds a chunk and returns the responses it completed, in order. `isHead(n)` is asked before
   * a response is read, `n` being how many this call has completed before it: whether it
   * answers a HEAD (and so has no body). Interim 1xx responses (100 Continue, 103 Early Hints)
   * are skipped, as HTTP/1.1 clients do. When the bytes cannot be a response, or one grows past
   * the limit, `error` is a 400 `HttpError` (the responses before it still count) and the
   * stream is unusable from then on.
   */
  push(chunk: Uint8Array, isHead: (index: number) => boolean = () => false): ParsedBatch<ReverseResponse> {
    if (this.#error) return { messages: [], error: this.#error };
    const bytes = this.#buffer.length === 0 ? chunk : concatBytes([this.#buffer, chunk]);
    const messages: ReverseResponse[] = [];
    let pos = 0;
    try {
      for (;;) {
        // Blank lines between pipelined messages are tolerated (RFC 9112 §2.2).
        while (pos < bytes.length && (bytes[pos] === 0x0d || bytes[pos] === 0x0a)) pos++;
        if (pos >= bytes.length) break;
        const parsed = parseResponseAt(bytes, pos, isHead(messages.length));
        if (parsed === null) break;
        pos = parsed.end;
        const { status } = parsed.response;
        if (status >= 100 && status < 200 && status !== 101) continue;
        messages.push(parsed.response);
      }
      this.#buffer = pos === 0 ? bytes.slice() : bytes.slice(pos);
      if (this.#buffer.length > this.#limit) {
        throw new HttpError(400, `A response is still incomplete after ${this.#buffer.length} bytes, over the limit`);
      }
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      this.#error = error;
      this.#buffer = new Uint8Array(0);
    }
    return { messages, error: this.#error };
  }
}
