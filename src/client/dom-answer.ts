/**
 * What the DOM handler answers (`Answer`, or `Later` for a watching GET) and the two ways an
 * answer leaves: a fetch `Response` for callers of the handler, or a reverse response for the
 * transport's message path, whose request the handler reads in place (`messageRequest`), with no
 * `Request` nor `Response` made.
 */
import { BufferedResponse } from '../protocol/buffered-response.ts';
import { REVERSE_ORIGIN } from '../protocol/fetch-convert.ts';
import { HttpError } from '../protocol/http-error.ts';
import type { HeaderList, ReverseRequest, ReverseResponse } from '../protocol/message.ts';
import { protectPath } from '../protocol/paths.ts';
import { TextResponse } from '../protocol/text-response.ts';
import type { DomRequest } from './dom-request.ts';

/**
 * What the handler answers, before it becomes a `Response` (for callers of the fetch-shaped
 * handler) or a reverse response (for the transport, which then needs no `Response`).
 */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string | null;
}

/** An answer that comes later (a watching GET), outside the one-at-a-time queue. */
export interface Later {
  later: Promise<Answer>;
}

/** An answer with a body of `contentType`. */
export function reply(
  body: string | null,
  contentType: string,
  status: number,
  headers: Record<string, string> = {},
): Answer {
  return { status, headers: { 'content-type': contentType, ...headers }, body };
}

/** A problem as an answer: its status, its headers, and its problem+json document. */
function problemAnswer(error: HttpError): Answer {
  const headers: Record<string, string> = {};
  new Headers(error.headers).forEach((value, name) => {
    headers[name] = value;
  });
  headers['content-type'] = 'application/problem+json';
  return { status: error.status, headers, body: JSON.stringify(error.toJSON()) };
}

/** The answer to a request that failed: its `HttpError`, or a 500 naming what was thrown. */
export function problemOf(error: unknown): Answer {
  if (error instanceof HttpError) return problemAnswer(error);
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return problemAnswer(new HttpError(500, `The DOM handler failed: ${detail}`));
}

/** An answer as a fetch `Response` (its body held, no stream unless asked for). */
export function toResponse({ status, headers, body }: Answer): Response {
  return body === null ? new Response(null, { status, headers }) : new BufferedResponse(body, { status, headers });
}

const byName = ([a]: [string, string], [b]: [string, string]) => (a < b ? -1 : a > b ? 1 : 0);

/** An answer as the reverse response to request `id`: fields lowercased and sorted, as a `Response`'s list them. */
export function toMessage(id: string, { status, headers, body }: Answer): ReverseResponse {
  const list: HeaderList = [];
  let sorted = true;
  for (const name in headers) {
    const field: [string, string] = [name.toLowerCase(), headers[name] as string];
    if (list.length > 0 && byName(list[list.length - 1] as [string, string], field) > 0) sorted = false;
    list.push(field);
  }
  // The DOM handler writes its fields in order already: no sort (and no comparator calls) then.
  if (!sorted) list.sort(byName);
  if (body === null) return { id, status, statusText: '', headers: list, body: null };
  return new TextResponse(id, status, '', list, body);
}

/** A request as the handler reads it, from a reverse request: no `Request` made (see `SERVE_MESSAGE`). */
export function messageRequest(message: ReverseRequest): DomRequest {
  const fields = message.headers;
  return {
    method: message.method,
    url: REVERSE_ORIGIN + protectPath(message.path) + (message.query === '' ? '' : `?${message.query}`),
    headers: {
      get(name: string): string | null {
        const wanted = name.toLowerCase();
        let value: string | null = null;
        for (const [key, each] of fields) {
          if (key.toLowerCase() === wanted) value = value === null ? each : `${value}, ${each}`;
        }
        return value;
      },
    },
  };
}
