/**
 * A reverse response whose body is text, kept as text: the JSON wire carries text as it is, so
 * encoding it to UTF-8 bytes only to decode them again for the wire is wasted. In Chromium each
 * encode makes an `ArrayBuffer`, which costs more than serializing a small node (≈ 6 µs of the
 * DOM handler's ≈ 34 µs per small GET). The bytes are made the first time `body` is read (the
 * `message/http` wire, a fetch `Response`).
 */
import { utf8 } from './bytes.ts';
import type { Bytes, HeaderList, ReverseResponse } from './message.ts';

/** See the module comment. `body` is `text` as UTF-8, made when first read. */
export class TextResponse implements ReverseResponse {
  #bytes: Bytes | null = null;

  constructor(
    readonly id: string,
    readonly status: number,
    readonly statusText: string,
    readonly headers: HeaderList,
    /** The body, as text. */
    readonly text: string,
  ) {}

  get body(): Bytes {
    this.#bytes ??= utf8(this.text);
    return this.#bytes;
  }
}

/**
 * `response` as it was before a structured clone (`postMessage`, a `BroadcastChannel`): a clone
 * keeps a `TextResponse`'s fields, `text` among them, but not its class, so not its `body`.
 */
export function revived(response: ReverseResponse): ReverseResponse {
  if (response instanceof TextResponse) return response;
  const { id, status, statusText, headers, text } = response as ReverseResponse & { text?: unknown };
  return typeof text === 'string' && response.body === undefined
    ? new TextResponse(id, status, statusText, headers, text)
    : response;
}

/** The body of `response` as text when it is held as text (a `TextResponse`), with no decoding; else `null`. */
export function heldText(response: ReverseResponse): string | null {
  return response instanceof TextResponse ? response.text : null;
}

/** The number of bytes of `text` in UTF-8 (a lone surrogate counts as U+FFFD, 3 bytes), without encoding it. */
export function utf8Length(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) length += 1;
    else if (code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A pair: two UTF-16 units, four bytes.
      length += 2;
      i++;
    } else length += 2;
  }
  return length;
}

/** Whether the body of `response` is longer than `limit` bytes, encoding no text to know. */
export function bodyOver(response: ReverseResponse, limit: number): boolean {
  const text = heldText(response);
  if (text === null) return (response.body?.length ?? 0) > limit;
  // Each UTF-16 unit is 1 to 3 bytes: count only when the bounds do not decide.
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  return utf8Length(text) > limit;
}

/** No less than the body's size in bytes (three per UTF-16 unit for text, which is not encoded to know). */
export function bodySizeBound(response: ReverseResponse): number {
  const text = heldText(response);
  return text === null ? (response.body?.length ?? 0) : text.length * 3;
}
