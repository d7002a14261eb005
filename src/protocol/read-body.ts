/** Reading a request body with a size limit, for handlers that take bodies from strangers. */
import { concatBytes } from './bytes.ts';
import { HttpError } from './http-error.ts';
import type { Bytes } from './message.ts';

/** The default limit on one body: 1 MiB, as Engine.IO's after CVE-2020-36048. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `The body is larger than the limit of ${limit} bytes`, { extensions: { limit } });
}

/** The body's bytes (`null` when there is none); a 413 `HttpError` past `limit` bytes. */
export async function readBody(message: Request | Response, limit: number): Promise<Bytes | null> {
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
