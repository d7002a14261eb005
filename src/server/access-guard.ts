/**
 * Who may use the dev server's powerful parts. Every request must name an allowed `Host` (a web
 * page on another name that DNS-rebinds to this server is refused); the endpoints and the gateway
 * refuse requests a browser marks as cross-site, except that pages on the listed origins
 * (`allowedOrigins`) may use the page endpoints with CORS; with a token, the gateway wants
 * `Authorization: Bearer <token>`.
 */
import { HttpError } from '../protocol/http-error.ts';
import { DEFAULT_ENDPOINT } from '../protocol/long-poll-wire.ts';
import { corsPolicy } from './cors.ts';
import { type AnyRequest, takesLight } from './light-request.ts';
import type { RouteHandler } from './long-poll-endpoint.ts';
import { sameToken } from './tokens.ts';

/** Names that always reach a server on this machine. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]', '::1'];

/** Options of the guard. */
export interface AccessOptions {
  /** Extra host names (without port) the server may be reached by; `*` allows any (not advised). */
  allowedHosts?: readonly string[];
  /** Origins of pages that may use `/ptth/connect` and `/ptth/poll/*` from another origin (CORS); never the gateway. */
  allowedOrigins?: readonly string[];
  /**
   * When set, the gateway (`/ptth/clients...`) and the PTTH upgrade (`/ptth/reverse`) need
   * `Authorization: Bearer <token>`.
   */
  token?: string;
  /** Told of every refusal (the error names its option) and whom it concerns, e.g. to count it. */
  onRefuse?: (error: HttpError, subject: string) => void;
}

/** Whether an address to listen on is a loopback one. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** A route that answers 401/403 for requests that may not go on (and preflights of listed origins), and `null` for the rest. */
export function accessGuard(options: AccessOptions = {}, endpoint = DEFAULT_ENDPOINT): RouteHandler {
  const allowed = new Set([...LOOPBACK_NAMES, ...(options.allowedHosts ?? [])].map((name) => name.toLowerCase()));
  const cors = corsPolicy(options.allowedOrigins, endpoint);
  // `{endpoint}/poll` (no id) is the shared poll of a tab group; `/poll/` the poll of one client.
  const api = [`${endpoint}/connect`, `${endpoint}/poll`, `${endpoint}/clients`, `${endpoint}/reverse`];
  // Pages cannot keep a token, so they connect without one; PTTH peers are programs that can.
  const tokened = [`${endpoint}/clients`, `${endpoint}/reverse`];
  const refuse = (
    status: number,
    detail: string,
    option: string,
    subject: string,
    init: { headers?: HeadersInit } = {},
  ) => {
    const error = new HttpError(status, detail, { ...init, extensions: { option } });
    options.onRefuse?.(error, subject);
    return error.toResponse();
  };
  return takesLight(async (request: AnyRequest) => {
    const url = new URL(request.url);
    if (!allowed.has('*') && !allowed.has(url.hostname.toLowerCase())) {
      return refuse(
        403,
        `Host "${url.host}" is not allowed (a guard against DNS rebinding); allow it with PTTH_ALLOWED_HOSTS=${url.hostname}`,
        'allowedHosts',
        url.host,
      );
    }
    const path = url.pathname;
    if (!api.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) return null;
    const site = request.headers.get('sec-fetch-site');
    const origin = request.headers.get('origin');
    const crossSite = site === 'cross-site' || site === 'same-site' || (origin !== null && origin !== url.origin);
    if (crossSite && origin !== null && cors.covers(path) && cors.allows(origin)) {
      return cors.preflight(request);
    }
    if (crossSite) {
      const seen = `Origin ${origin ?? '(none)'}, Sec-Fetch-Site ${site ?? '(none)'}`;
      const detail = cors.covers(path)
        ? `Requests from other origins to ${path} are refused (${seen}); list the page's origin in allowedOrigins (PTTH_ALLOWED_ORIGINS=${origin ?? 'http://host:port'}) to allow it`
        : `Cross-site requests to ${path} are refused (${seen}); the gateway answers no page on another origin, only curl and servers`;
      return refuse(403, detail, 'allowedOrigins', origin ?? '');
    }
    if (options.token !== undefined && tokened.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) {
      const given = /^Bearer\s+(.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1]?.trim() ?? '';
      if (!sameToken(given, options.token)) {
        return refuse(401, `${path} needs "Authorization: Bearer <token>" (PTTH_TOKEN)`, 'token', '', {
          headers: { 'www-authenticate': 'Bearer realm="ptth"' },
        });
      }
    }
    return null;
  });
}
