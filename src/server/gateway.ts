/**
 * The HTTP gateway: `GET {endpoint}/clients` lists the connected clients, and any method on
 * `{endpoint}/clients/{id}/{xpath...}` is forwarded to that client as the reverse request for
 * `/{xpath...}`; the client's response is relayed back.
 */
import { BufferedResponse } from '../protocol/buffered-response.ts';
import { REVERSE_ORIGIN } from '../protocol/fetch-convert.ts';
import { HttpError } from '../protocol/http-error.ts';
import { DEFAULT_ENDPOINT } from '../protocol/long-poll-wire.ts';
import { takeBody } from '../protocol/read-body.ts';
import type { Hub } from './hub.ts';
import { readBodyWithin, tooManyRequests } from './limits.ts';
import type { RouteHandler } from './long-poll-endpoint.ts';
import { REMOTE_ADDRESS_HEADER } from './node-adapter.ts';
import { checkXmlBody, checkXPath } from './precheck.ts';
import { RateLimiter } from './rate-limit.ts';

/** Hop-by-hop fields (RFC 9110 §7.6.1) and framing, which a gateway never forwards as they are. */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

/** A copy of `headers` without hop-by-hop fields, including those named in `Connection`. */
export function endToEndHeaders(headers: Headers): Headers {
  const out = new Headers(headers);
  const named = (headers.get('connection') ?? '').split(',').map((name) => name.trim().toLowerCase());
  for (const name of [...HOP_BY_HOP, ...named]) if (name) out.delete(name);
  return out;
}

function json(value: unknown): Response {
  return new BufferedResponse(JSON.stringify(value, null, 2), { headers: { 'content-type': 'application/json' } });
}

/**
 * The gateway of `hub`, mounted at `{endpoint}/clients`. Each client takes at most
 * `requestsPerSecond` reverse requests through it (bursts of `requestBurst`), else 429.
 */
export function gateway(hub: Hub, endpoint = DEFAULT_ENDPOINT): RouteHandler {
  const list = `${endpoint}/clients`;
  const prefix = `${list}/`;
  const rate = new RateLimiter({ perSecond: hub.options.requestsPerSecond, burst: hub.options.requestBurst });
  hub.on('disconnect', (client) => rate.forget(client.id));

  async function forward(request: Request, id: string, reversePath: string, search: string): Promise<Response> {
    const method = request.method;
    const wait = rate.take(id);
    if (wait > 0) {
      const detail = `Client "${id}" is sent more reverse requests through the gateway than allowed`;
      const error = tooManyRequests(detail, 'requestsPerSecond', rate.perSecond, rate.burst, wait, { client: id });
      return hub.limits.refuse(error, id);
    }
    const body =
      method === 'GET' || method === 'HEAD'
        ? null
        : await readBodyWithin(request, hub.options.maxBodyBytes, hub.limits, id);
    if ((await hub.lookup(id))?.dom && method !== 'OPTIONS') checkXPath(reversePath);
    checkXmlBody(request.headers.get('content-type'), body);
    const headers = endToEndHeaders(request.headers);
    // The reverse request has its own framing, and an empty Host as the PTTH draft says.
    // The caller's credentials are for this server, never for the pages behind it.
    for (const name of ['host', 'content-length', 'cookie', 'authorization', REMOTE_ADDRESS_HEADER])
      headers.delete(name);
    const reverse = new Request(REVERSE_ORIGIN + reversePath + search, { method, headers, body });
    const response = await hub.fetch(id, reverse, { signal: request.signal });
    const relayed = endToEndHeaders(response.headers);
    const location = relayed.get('location');
    // The page names its nodes by reverse paths; outside, they live under the client's prefix.
    if (location?.startsWith('/')) relayed.set('location', `${prefix}${id}${location}`);
    // A page's answer must not act on this server's origin: no cookies, no script, no sniffing.
    relayed.delete('set-cookie');
    relayed.set('content-security-policy', 'sandbox');
    relayed.set('x-content-type-options', 'nosniff');
    const init = { status: response.status, statusText: response.statusText, headers: relayed };
    const held = takeBody(response);
    return held === undefined ? new Response(response.body, init) : new BufferedResponse(held, init);
  }

  return async (request) => {
    const url = new URL(request.url);
    const path = url.pathname;
    if (path === list || path === `${list}/`) {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return new HttpError(405, `${request.method} is not allowed on ${path}`, {
          headers: { allow: 'GET, HEAD' },
        }).toResponse();
      }
      return json(hub.clients());
    }
    if (!path.startsWith(prefix)) return null;
    const rest = path.slice(prefix.length);
    const slash = rest.indexOf('/');
    const id = slash < 0 ? rest : rest.slice(0, slash);
    const session = await hub.lookup(id);
    if (!session) {
      return new HttpError(404, `No client with id "${id}" is connected; GET ${list} lists them`, {
        extensions: { client: id },
      }).toResponse();
    }
    if (slash < 0) {
      if (request.method === 'GET' || request.method === 'HEAD') return json(session.info());
      return new HttpError(405, `${request.method} is not allowed on ${path}; the page itself is at ${path}/`, {
        headers: { allow: 'GET, HEAD' },
      }).toResponse();
    }
    try {
      return await forward(request, id, rest.slice(slash), url.search);
    } catch (error) {
      if (error instanceof HttpError) return error.toResponse();
      throw error;
    }
  };
}
