/** Reading a request body with a size limit, for handlers that take bodies from strangers. */
import { concatBytes, utf8 } from './bytes.ts';
import { HttpError } from './http-error.ts';
import type { Bytes } from './message.ts';

/** The default limit on one body: 1 MiB, as Engine.IO's after CVE-2020-36048. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** The 413 of a body over `limit` bytes. */
export function tooLarge(limit: number): HttpError {
  return new HttpError(413, `The body is larger than the limit of ${limit} bytes`, { extensions: { limit } });
}

/** A body in memory: text (sent as UTF-8) or bytes. */
export type HeldBody = string | Bytes;

/**
 * The key of the method by which a message that holds its body in memory (`BufferedResponse`, a
 * server adapter's request) hands it over: the body, or `undefined` when it was read or streamed
 * already.
 */
export const TAKE_BODY: unique symbol = Symbol.for('ptth.takeBody');

/** The body's bytes (`null` when there is none); a 413 `HttpError` past `limit` bytes. */
export async function readBody(message: Request | Response, limit: number): Promise<Bytes | null> {
  const held = takeBody(message);
  if (held !== undefined) {
    const bytes = typeof held === 'string' ? utf8(held) : held;
    if (bytes !== null && bytes.length > limit) throw tooLarge(limit);
    return bytes;
  }
  if (message.body === null) return null;
  const declared = Number(message.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) throw tooLarge(limit);
  const reader = message.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return concatBytes(chunks);
}

/**
 * A body held in memory (a `BufferedResponse`'s, or a server adapter's request whose body it
 * read), taken as reading would take it; `undefined` when there is none to take (then read the
 * body the usual way). For readers and writers that want the bytes as they are.
 */
export function takeBody(message: Request | Response): HeldBody | null | undefined {
  const take = (message as { [TAKE_BODY]?: () => HeldBody | null | undefined })[TAKE_BODY];
  return take === undefined ? undefined : take.call(message);
}
