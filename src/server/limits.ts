/**
 * The limits a server puts on what it is sent, beside body sizes and client counts: how often
 * one client may be called through the gateway and may poll, and how many header fields (and
 * bytes of them) a request or a page's response may carry. Every refusal is an `HttpError`
 * whose problem document names its option (`"option": "maxHeaders"`), the limit and what was found.
 */
import { HttpError } from '../protocol/http-error.ts';
import type { Bytes } from '../protocol/message.ts';
import { readBody, tooLarge } from '../protocol/read-body.ts';
import { type AnyRequest, LightRequest } from './light-request.ts';
import type { LimitLog } from './limit-log.ts';

/** Tunable limits, part of the hub's options; every one has a default (`DEFAULT_LIMITS`). */
export interface LimitOptions {
  /** Reverse requests per second one client takes through the gateway (429 past it). Default 100; `Infinity` turns it off. */
  requestsPerSecond?: number;
  /** How many gateway requests one client may take at once after a quiet spell. Default 200. */
  requestBurst?: number;
  /** Polls per second from one client id (429 past it): a looping page is slowed, not served. Default 1,000. */
  pollsPerSecond?: number;
  /** How many polls one client id may send at once. Default 2,000. */
  pollBurst?: number;
  /** Most header fields of a request to the server or to a page (431), or of a page's response (502). Default 100. */
  maxHeaders?: number;
  /** Most bytes of header fields, counting name, value and 4 bytes (": ", CRLF) per field. Default 16 KiB. */
  maxHeaderBytes?: number;
}

/** The default limits. */
export const DEFAULT_LIMITS: Readonly<Required<LimitOptions>> = {
  requestsPerSecond: 100,
  requestBurst: 200,
  pollsPerSecond: 1_000,
  pollBurst: 2_000,
  maxHeaders: 100,
  maxHeaderBytes: 16 * 1024,
};

/** Header fields in any of the shapes ptth holds them. */
export type HeaderFields = Headers | Iterable<readonly [string, string]>;

/** How many header fields there are and how many bytes they take on the wire (name, value, ": ", CRLF). */
export function measureHeaders(fields: HeaderFields): { count: number; bytes: number } {
  let count = 0;
  let bytes = 0;
  const add = (value: string, name: string) => {
    count++;
    // Header text is Latin-1 on the wire, one byte per character.
    bytes += name.length + value.length + 4;
  };
  if (fields instanceof Headers) fields.forEach(add);
  else for (const [name, value] of fields) add(value, name);
  return { count, bytes };
}

/**
 * The error for header fields over `maxHeaders` or `maxHeaderBytes` (status 431 by default,
 * 502 for a page's response); `null` when they are within both. `what` starts the message:
 * `The request to client "x"` → `The request to client "x" has 150 header fields, …`.
 */
export function headerLimitError(
  fields: HeaderFields,
  limits: Pick<Required<LimitOptions>, 'maxHeaders' | 'maxHeaderBytes'>,
  what: string,
  status = 431,
  extensions: Record<string, unknown> = {},
): HttpError | null {
  const { count, bytes } = measureHeaders(fields);
  if (count > limits.maxHeaders) {
    return new HttpError(
      status,
      `${what} has ${count} header fields, over the limit of ${limits.maxHeaders} (maxHeaders)`,
      {
        extensions: { ...extensions, option: 'maxHeaders', limit: limits.maxHeaders, found: count },
      },
    );
  }
  if (bytes > limits.maxHeaderBytes) {
    return new HttpError(
      status,
      `${what} has ${bytes} bytes of header fields, over the limit of ${limits.maxHeaderBytes} (maxHeaderBytes)`,
      { extensions: { ...extensions, option: 'maxHeaderBytes', limit: limits.maxHeaderBytes, found: bytes } },
    );
  }
  return null;
}

/** The seconds of a `Retry-After` for a wait in milliseconds: whole seconds, at least 1. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1_000));
}

/** The 429 of a rate limit: says which limit, who hit it and when to come back (`Retry-After`). */
export function tooManyRequests(
  detail: string,
  option: string,
  limit: number,
  burst: number,
  waitMs: number,
  extensions: Record<string, unknown> = {},
): HttpError {
  const retryAfter = retryAfterSeconds(waitMs);
  return new HttpError(
    429,
    `${detail}, over the limit of ${limit} per second (${option}, burst ${burst}); retry in ${retryAfter} s`,
    {
      headers: { 'retry-after': String(retryAfter) },
      extensions: { ...extensions, option, limit, burst, retryAfter },
    },
  );
}

/** Reads a body within `limit` bytes; a 413 is recorded in `log` (as `maxBodyBytes`) before it is thrown. */
export async function readBodyWithin(
  request: AnyRequest,
  limit: number,
  log: LimitLog,
  subject: string,
): Promise<Bytes | null> {
  try {
    if (!(request instanceof LightRequest)) return await readBody(request, limit);
    if (request.bytes !== null && request.bytes.length > limit) throw tooLarge(limit);
    return request.bytes;
  } catch (error) {
    if (error instanceof HttpError && error.status === 413) {
      log.record(new HttpError(413, error.message, { extensions: { option: 'maxBodyBytes', limit } }), subject);
    }
    throw error;
  }
}
