/**
 * CORS for the long-poll endpoints, for pages on other origins that the server lists
 * (`allowedOrigins`, `PTTH_ALLOWED_ORIGINS`). Only `{endpoint}/connect`, `{endpoint}/poll` and
 * `{endpoint}/poll/...` take part; the gateway is for curl and servers and never answers a page
 * on another origin. No credentials: the client sends no cookies, its secret rides in a header.
 */
import {
  ACK_HEADER,
  DEFAULT_ENDPOINT,
  HELLO_HEADER,
  INSTANCE_HEADER,
  POLL_HEADER,
  RETRY_HEADER,
  SECRET_HEADER,
} from '../protocol/long-poll-wire.ts';
import type { AnyRequest } from './light-request.ts';
import { LineResponse } from './line-response.ts';

/** Request headers a page on another origin may send: what the long-poll client sends. */
export const CORS_ALLOW_HEADERS = [
  SECRET_HEADER,
  INSTANCE_HEADER,
  ACK_HEADER,
  RETRY_HEADER,
  POLL_HEADER,
  'Content-Type',
  'Accept',
];
/** Methods of the endpoints beside the preflight itself. */
export const CORS_ALLOW_METHODS = ['POST', 'DELETE'];
/**
 * Response headers the client reads beyond the CORS-safelisted ones: `Retry-After` of a 429 or
 * 503, and `Ptth-Hello` of a streamed poll (its first line comes at once).
 */
export const CORS_EXPOSE_HEADERS = ['Retry-After', HELLO_HEADER];
/** How long a browser may cache a preflight, in seconds (Chromium caps this at 7,200). */
export const CORS_MAX_AGE = 600;

/**
 * The origins of a list in the form browsers send in `Origin` (`http://localhost:3000`, no
 * path, no default port). Throws for `*`, `null` and anything that is not `scheme://host[:port]`,
 * so a typo fails at start-up instead of refusing every page later.
 */
export function parseOrigins(list: readonly string[]): Set<string> {
  const origins = new Set<string>();
  for (const entry of list) {
    const text = entry.trim();
    if (text === '') continue;
    if (text === '*' || text === 'null') {
      throw new Error(`Allowed origins must be listed one by one; "${text}" would let any page drive the endpoints`);
    }
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new Error(`Allowed origin "${text}" is not an origin such as http://localhost:3000`);
    }
    if (!/^https?:$/.test(url.protocol)) {
      throw new Error(`Allowed origin "${text}" must be http(s)://host[:port]`);
    }
    const bare =
      url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && !/[?#]$/.test(text);
    if (!bare) throw new Error(`Allowed origin "${text}" must be http(s)://host[:port] alone, e.g. ${url.origin}`);
    origins.add(url.origin);
  }
  return origins;
}

/** Which requests may come from other origins, and the headers that tell the browser so. */
export interface CorsPolicy {
  /** Whether any origin is listed (else `decorate` returns every response as it is). */
  readonly enabled: boolean;
  /** Whether `path` is one of the page endpoints (connect, poll), the only ones CORS applies to. */
  covers(path: string): boolean;
  /** Whether `origin` is listed. */
  allows(origin: string): boolean;
  /** The answer to a preflight (`OPTIONS` with `Access-Control-Request-Method`) from a listed origin; `null` for other requests. */
  preflight(request: AnyRequest): Response | null;
  /** `response` with the CORS headers its request needs (none for same-origin requests and unlisted origins). */
  decorate(request: AnyRequest, response: Response): Response;
}

/** The CORS policy for `allowedOrigins` on the endpoints at `endpoint` (default `/ptth`). */
export function corsPolicy(allowedOrigins: readonly string[] = [], endpoint = DEFAULT_ENDPOINT): CorsPolicy {
  const origins = parseOrigins(allowedOrigins);
  const connectPath = `${endpoint}/connect`;
  const sharedPath = `${endpoint}/poll`;
  const pollPrefix = `${sharedPath}/`;
  const covers = (path: string) => path === connectPath || path === sharedPath || path.startsWith(pollPrefix);
  /** The listed origin of a cross-origin request to a page endpoint, or `null`. */
  const crossOrigin = (request: AnyRequest): string | null => {
    const origin = request.headers.get('origin');
    if (origin === null || !origins.has(origin)) return null;
    const url = new URL(request.url);
    return covers(url.pathname) && origin !== url.origin ? origin : null;
  };
  return {
    enabled: origins.size > 0,
    covers,
    allows: (origin) => origins.has(origin),
    preflight(request) {
      if (request.method !== 'OPTIONS' || !request.headers.has('access-control-request-method')) return null;
      const origin = crossOrigin(request);
      if (origin === null) return null;
      const headers = new Headers({
        'access-control-allow-origin': origin,
        'access-control-allow-methods': CORS_ALLOW_METHODS.join(', '),
        'access-control-allow-headers': CORS_ALLOW_HEADERS.join(', '),
        'access-control-max-age': String(CORS_MAX_AGE),
        vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      });
      // Private Network Access preflights (older Chromium): a listed page may reach a server on this machine.
      if (request.headers.get('access-control-request-private-network') === 'true') {
        headers.set('access-control-allow-private-network', 'true');
      }
      return new Response(null, { status: 204, headers });
    },
    decorate(request, response) {
      if (origins.size === 0 || !covers(new URL(request.url).pathname)) return response;
      const origin = crossOrigin(request);
      // A streamed poll keeps its own class (the node adapter writes its lines as they come).
      const out = response instanceof LineResponse ? response : new Response(response.body, response);
      // The answer depends on Origin whenever a list exists, so caches must key on it.
      out.headers.append('vary', 'Origin');
      if (origin !== null) {
        out.headers.set('access-control-allow-origin', origin);
        out.headers.set('access-control-expose-headers', CORS_EXPOSE_HEADERS.join(', '));
      }
      return out;
    },
  };
}
