/**
 * Converters between the message model and the standard fetch `Request` / `Response` classes,
 * so handlers on both sides stay fetch-shaped.
 */
import type { HeaderList, ReverseRequest, ReverseResponse } from './message.ts';
import { isBodilessMethod } from './message.ts';
import { protectPath } from './paths.ts';
import { readBody } from './read-body.ts';

/** The origin of the URLs of reverse requests seen by handlers (RFC 6761 reserves `.invalid`). */
export const REVERSE_ORIGIN = 'http://ptth.invalid';

/** Statuses whose responses never have a body (Fetch "null body status"). */
export function isNullBodyStatus(status: number): boolean {
  return status === 101 || status === 103 || status === 204 || status === 205 || status === 304;
}

/** A `Headers` object as a header list (names lowercased, as `Headers` keeps them). */
export function headerList(headers: Headers): HeaderList {
  const list: HeaderList = [];
  headers.forEach((value, name) => {
    list.push([name, value]);
  });
  return list;
}

/**
 * A fetch `Request` for a reverse request. Its URL is `origin` + path + query; the URL parser
 * percent-encodes some characters (decoding once gives them back).
 *
 * `.`/`..` segments and `\` are protected first (see `protectPath`), so XPath paths survive.
 */
export function toRequest(message: ReverseRequest, origin: string = REVERSE_ORIGIN): Request {
  const url = origin + protectPath(message.path) + (message.query === '' ? '' : `?${message.query}`);
  const init: RequestInit = { method: message.method, headers: message.headers };
  if (message.body !== null && !isBodilessMethod(message.method.toUpperCase())) init.body = message.body;
  return new Request(url, init);
}

/**
 * The path and the query (without `?`) of a request's URL, as `URL` gives them (a fragment is
 * never sent). A fetch `Request`'s URL is serialized already, so an http(s) one is split, not parsed.
 */
export function pathAndQuery(url: string): { path: string; query: string } {
  const scheme = url.startsWith('http://') ? 7 : url.startsWith('https://') ? 8 : -1;
  if (scheme < 0 || url.includes('#')) {
    const parsed = new URL(url);
    return { path: parsed.pathname, query: parsed.search.slice(1) };
  }
  const slash = url.indexOf('/', scheme);
  const q = url.indexOf('?', scheme);
  if (slash < 0 || (q >= 0 && q < slash)) return { path: '/', query: q < 0 ? '' : url.slice(q + 1) };
  return q < 0 ? { path: url.slice(slash), query: '' } : { path: url.slice(slash, q), query: url.slice(q + 1) };
}

/** A reverse request from a fetch `Request`; the path and query come from its URL. A body over `limit` bytes is a 413. */
export async function fromRequest(
  id: string,
  request: Request,
  limit = Number.POSITIVE_INFINITY,
): Promise<ReverseRequest> {
  const { path, query } = pathAndQuery(request.url);
  return {
    id,
    method: request.method,
    path,
    query,
    headers: headerList(request.headers),
    body: await readBody(request, limit),
  };
}

/** A fetch `Response` for a reverse response; throws a `RangeError` for a status fetch cannot hold. */
export function toResponse(message: ReverseResponse): Response {
  const body = isNullBodyStatus(message.status) ? null : message.body;
  return new Response(body, { status: message.status, statusText: message.statusText, headers: message.headers });
}

/** A reverse response from a fetch `Response`, answering the request `id`. A body over `limit` bytes is a 413. */
export async function fromResponse(
  id: string,
  response: Response,
  limit = Number.POSITIVE_INFINITY,
): Promise<ReverseResponse> {
  return {
    id,
    status: response.status,
    statusText: response.statusText,
    headers: headerList(response.headers),
    body: await readBody(response, limit),
  };
}
