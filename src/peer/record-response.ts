/**
 * Keeping a copy of what a `node:http` request listener answers, as a reverse response: the
 * peer must be able to answer a redelivered request again without running it twice, and a
 * listener writes to a `ServerResponse`, not a value. The copy is taken when the listener calls
 * `end()`, so it exists even when the socket died under the listener.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { HeaderList, ReverseResponse } from '../protocol/message.ts';

type WriteArgs = [chunk?: unknown, encoding?: unknown, callback?: unknown];

function bytesOf(chunk: unknown, encoding: unknown): Buffer | null {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return null;
  if (typeof chunk === 'string')
    return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  return null;
}

/** Headers of an object or a flat `[name, value, ...]` list, as a header list. */
function listOf(headers: OutgoingHttpHeaders | readonly unknown[] | undefined): HeaderList {
  const list: HeaderList = [];
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) list.push([String(headers[i]), String(headers[i + 1])]);
    return list;
  }
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) list.push([name, String(one)]);
  }
  return list;
}

/** Headers that frame one connection's bytes, not the answer. */
const FRAMING = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/**
 * Watches `res` and resolves with the response it carries (`id` is the request's) once the
 * listener has called `end()`.
 */
export function recordResponse(id: string, res: ServerResponse, method: string): Promise<ReverseResponse> {
  const chunks: Buffer[] = [];
  let written: HeaderList = [];
  return new Promise((resolve) => {
    const { write, end, writeHead } = res;
    res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      const headers = args.find((arg, i) => i > 0 && typeof arg === 'object' && arg !== null);
      written = listOf(headers as OutgoingHttpHeaders | unknown[] | undefined);
      return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as ServerResponse['writeHead'];
    res.write = function (this: ServerResponse, ...args: WriteArgs) {
      const bytes = bytesOf(args[0], args[1]);
      if (bytes) chunks.push(bytes);
      return (write as (...a: WriteArgs) => boolean).apply(this, args);
    } as ServerResponse['write'];
    res.end = function (this: ServerResponse, ...args: WriteArgs) {
      const bytes = bytesOf(args[0], args[1]);
      if (bytes) chunks.push(bytes);
      const stored = listOf(res.getHeaders());
      const names = new Set(written.map(([name]) => name.toLowerCase()));
      const headers = [...stored.filter(([name]) => !names.has(name.toLowerCase())), ...written].filter(
        ([name]) => !FRAMING.has(name.toLowerCase()),
      );
      const body = Buffer.concat(chunks);
      const bodiless = method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304;
      resolve({
        id,
        status: res.statusCode,
        statusText: res.statusMessage ?? '',
        headers,
        body: bodiless ? null : new Uint8Array(body),
      });
      return (end as (...a: WriteArgs) => ServerResponse).apply(this, args);
    } as ServerResponse['end'];
  });
}
