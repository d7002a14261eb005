/**
 * What `hub.fetch` takes, as `fetch` does: a `Request`, or a URL (a path such as
 * `/html/body/h1`, an absolute URL, a `URL`) with a `RequestInit`. A plain call (no body) is
 * made into its message parts with no `Request` built: Node 20's makes an `AbortSignal` and a
 * `Headers` each, more than the rest of a small call costs the hub.
 */
import { headerList, REVERSE_ORIGIN } from '../protocol/fetch-convert.ts';
import type { HeaderList } from '../protocol/message.ts';

/** A call's method, path, query and header fields: a `Request` with no body, without the `Request`. */
export interface PlainCall {
  method: string;
  path: string;
  query: string;
  headers: HeaderList;
}

/** Methods a `Request` keeps as they are when written in capitals (others go through `Request`). */
const PLAIN_METHODS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'POST', 'PUT', 'PATCH']);

/**
 * A path (and `?query`) that the URL parser would leave exactly as it is: ASCII without
 * controls, space, `"`, `#`, `<`, `>`, `` ` ``, `{`, `}` and `\`, no `'` in the query, and no
 * `.` or `..` step (plain or percent-encoded), which the parser folds.
 */
const UNCHANGED_PATH = /^\/[!$%&'()*+,\-./0-9:;=@A-Z[\]^_a-z|~]*(\?[!$%&()*+,\-./0-9:;=?@A-Z[\]^_`{|}~a-z\\]*)?$/;
const DOT_STEP = /\/(\.|%2e){1,2}(\/|\?|$)/i;

/** A path (`/…`, even `//h1`) under `REVERSE_ORIGIN`, an absolute URL as it is. */
function absolute(url: string | URL): URL {
  return typeof url !== 'string' ? url : new URL(url.startsWith('/') ? REVERSE_ORIGIN + url : url);
}

/** The path and query of `url` as `new Request(absolute(url)).url` would have them. */
function parsedPath(url: string | URL): { path: string; query: string } {
  if (typeof url === 'string' && UNCHANGED_PATH.test(url) && !DOT_STEP.test(url)) {
    const q = url.indexOf('?');
    return q < 0 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
  }
  const parsed = absolute(url);
  return { path: parsed.pathname, query: parsed.search.slice(1) };
}

/**
 * `input` and `init` as `fetch` reads them: the parts of a plain call, or the `Request` to make
 * (`input` itself when `init` changes nothing about it). Throws the `TypeError` that
 * `new Request(input, init)` throws for what a request cannot be.
 */
export function callOf(input: Request | string | URL, init: RequestInit = {}): PlainCall | Request {
  const { method, headers, body } = init;
  const changes = method !== undefined || headers !== undefined || body !== undefined;
  if (input instanceof Request) return changes ? new Request(input, init) : input;
  if (body == null && (method === undefined || PLAIN_METHODS.has(method))) {
    const { path, query } = parsedPath(input);
    const list = headers === undefined ? [] : headerList(new Headers(headers));
    return { method: method ?? 'GET', path, query, headers: list };
  }
  return new Request(absolute(input), init);
}
