/**
 * The HTTP gateway: `GET {endpoint}/clients` lists the connected clients, and any method on
 * `{endpoint}/clients/{id}/{xpath...}` is forwarded to that client as the reverse request for
 * `/{xpath...}`; the client's response is relayed back. The request travels as a message
 * (`hub.send`): no second `Request` is made for it, nor a second `Response` for the answer.
 */
import { BufferedResponse } from '../protocol/buffered-response.ts';
import { isNullBodyStatus, pathAndQuery } from '../protocol/fetch-convert.ts';
import { HttpError } from '../protocol/http-error.ts';
import { DEFAULT_ENDPOINT } from '../protocol/long-poll-wire.ts';
import type { HeaderList, ReverseResponse } from '../protocol/message.ts';
import { takeBody } from '../protocol/read-body.ts';
import type { ClientSession } from './client-session.ts';
import type { Hub } from './hub.ts';
import { type AnyRequest, abortOf, type LightHeaders, REMOTE_ADDRESS_HEADER, takesLight } from './light-request.ts';
import { headerLimitError, readBodyWithin, tooManyRequests } from './limits.ts';
import type { RouteHandler } from './long-poll-endpoint.ts';
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

/** The field names `Connection` lists, lowercased. */
function connectionNames(headers: Headers | LightHeaders): string[] {
  const value = headers.get('connection');
  return value === null ? [] : value.split(',').map((name) => name.trim().toLowerCase());
}

/** Removes hop-by-hop fields, including those named in `Connection`, from `headers`. */
function dropHopByHop(headers: Headers): Headers {
  for (const name of [...HOP_BY_HOP, ...connectionNames(headers)]) if (name) headers.delete(name);
  return headers;
}

/** A copy of `headers` without hop-by-hop fields, including those named in `Connection`. */
export function endToEndHeaders(headers: Headers): Headers {
  return dropHopByHop(new Headers(headers));
}

/** Fields of a caller's request that never reach a page (besides hop-by-hop ones). */
const NOT_FORWARDED = new Set([
  ...HOP_BY_HOP,
  // The reverse request has its own framing, and an empty Host as the PTTH draft says.
  'host',
  'content-length',
  // The caller's credentials are for this server, never for the pages behind it.
  'cookie',
  'authorization',
  REMOTE_ADDRESS_HEADER,
]);

/** The end-to-end fields of a caller's request that go to the page, as a header list. */
function forwardedHeaders(headers: Headers | LightHeaders): HeaderList {
  const named = connectionNames(headers);
  const list: HeaderList = [];
  headers.forEach((value, name) => {
    if (!NOT_FORWARDED.has(name) && !named.includes(name)) list.push([name, value]);
  });
  return list;
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

  /** The answer's fields as relayed: end-to-end only, its Location under the client's prefix, made harmless. */
  function relayHeaders(relayed: Headers, id: string): Headers {
    dropHopByHop(relayed);
    const location = relayed.get('location');
    // The page names its nodes by reverse paths; outside, they live under the client's prefix.
    if (location?.startsWith('/')) relayed.set('location', `${prefix}${id}${location}`);
    // A page's answer must not act on this server's origin: no cookies, no script, no sniffing.
    relayed.delete('set-cookie');
    relayed.set('content-security-policy', 'sandbox');
    relayed.set('x-content-type-options', 'nosniff');
    return relayed;
  }

  /** The page's answer (or the hub's problem) as the response to the outside caller. */
  function relay(id: string, answer: ReverseResponse | Response, asked: { method: string; path: string }): Response {
    if (answer instanceof Response) {
      const headers = relayHeaders(new Headers(answer.headers), id);
      const init = { status: answer.status, statusText: answer.statusText, headers };
      const held = takeBody(answer);
      return held === undefined ? new Response(answer.body, init) : new BufferedResponse(held, init);
    }
    try {
      const { status, statusText } = answer;
      const body = isNullBodyStatus(status) ? null : answer.body;
      return new BufferedResponse(body, { status, statusText, headers: relayHeaders(new Headers(answer.headers), id) });
    } catch (error) {
      // Fields or a status a Response refuses: the 502 hub.fetch gives for them.
      return relay(id, hub.answerProblem(id, asked, answer, error) as Response, asked);
    }
  }

  async function forward(request: AnyRequest, session: ClientSession, reversePath: string, query: string) {
    const { id } = session;
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
    if (session.dom && method !== 'OPTIONS') checkXPath(reversePath);
    checkXmlBody(request.headers.get('content-type'), body);
    const headers = forwardedHeaders(request.headers);
    const asked = { method, path: reversePath, query, headers, body };
    const tooManyHeaders = headerLimitError(headers, hub.options, `The request to client "${id}"`);
    if (tooManyHeaders) return relay(id, hub.limits.refuse(tooManyHeaders, id), asked);
    return relay(id, await hub.send(id, asked, { signal: abortOf(request) }), asked);
  }

  return takesLight(async (request: AnyRequest) => {
    const { path, query } = pathAndQuery(request.url);
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
      return await forward(request, session, rest.slice(slash), query);
    } catch (error) {
      if (error instanceof HttpError) return error.toResponse();
      throw error;
    }
  });
}
