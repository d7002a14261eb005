/**
 * Who may use the dev server's powerful parts. Every request must name an allowed `Host` (a web
 * page on another name that DNS-rebinds to this server is refused); the endpoints and the gateway
 * refuse requests a browser marks as cross-site; with a token, the gateway wants
 * `Authorization: Bearer <token>`.
 */
import { HttpError } from '../protocol/http-error.ts';
import { DEFAULT_ENDPOINT } from '../protocol/long-poll-wire.ts';
import { sameToken } from './hub.ts';
import type { RouteHandler } from './long-poll-endpoint.ts';

/** Names that always reach a server on this machine. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]', '::1'];

/** Options of the guard. */
export interface AccessOptions {
  /** Extra host names (without port) the server may be reached by; `*` allows any (not advised). */
  allowedHosts?: readonly string[];
  /**
   * When set, the gateway (`/ptth/clients...`) and the PTTH upgrade (`/ptth/reverse`) need
   * `Authorization: Bearer <token>`.
   */
  token?: string;
}

/** Whether an address to listen on is a loopback one. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function forbidden(detail: string): Response {
  return new HttpError(403, detail).toResponse();
}

/** A route that answers 401/403 for requests that may not go on, and `null` for the rest. */
export function accessGuard(options: AccessOptions = {}, endpoint = DEFAULT_ENDPOINT): RouteHandler {
  const allowed = new Set([...LOOPBACK_NAMES, ...(options.allowedHosts ?? [])].map((name) => name.toLowerCase()));
  const api = [`${endpoint}/connect`, `${endpoint}/poll/`, `${endpoint}/clients`, `${endpoint}/reverse`];
  // Pages cannot keep a token, so they connect without one; PTTH peers are programs that can.
  const tokened = [`${endpoint}/clients`, `${endpoint}/reverse`];
  return async (request) => {
    const url = new URL(request.url);
    if (!allowed.has('*') && !allowed.has(url.hostname.toLowerCase())) {
      return forbidden(
        `Host "${url.host}" is not allowed (a guard against DNS rebinding); allow it with PTTH_ALLOWED_HOSTS=${url.hostname}`,
      );
    }
    if (!api.some((prefix) => url.pathname.startsWith(prefix))) return null;
    const site = request.headers.get('sec-fetch-site');
    const origin = request.headers.get('origin');
    if (site === 'cross-site' || site === 'same-site' || (origin !== null && origin !== url.origin)) {
      return forbidden(
        `Cross-site requests to ${url.pathname} are refused (Origin ${origin ?? '(none)'}, Sec-Fetch-Site ${site ?? '(none)'})`,
      );
    }
    if (options.token !== undefined && tokened.some((prefix) => url.pathname.startsWith(prefix))) {
      const given = /^Bearer\s+(.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1]?.trim() ?? '';
      if (!sameToken(given, options.token)) {
        return new HttpError(401, `${url.pathname} needs "Authorization: Bearer <token>" (PTTH_TOKEN)`, {
          headers: { 'www-authenticate': 'Bearer realm="ptth"' },
        }).toResponse();
      }
    }
    return null;
  };
}
