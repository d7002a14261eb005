/**
 * The long-poll endpoints as a fetch-shaped handler:
 * `POST {endpoint}/connect` registers a page; `POST {endpoint}/poll/{id}` uploads the page's
 * responses and is held until reverse requests are queued (or the hold runs out);
 * `DELETE {endpoint}/poll/{id}` is the page leaving.
 */
import { utf8, utf8Text } from '../protocol/bytes.ts';
import { HttpError } from '../protocol/http-error.ts';
import { decodeWireResponse, encodeWireRequest } from '../protocol/json-codec.ts';
import type { ConnectBody, ConnectReply, PollBody, PollReply } from '../protocol/long-poll-wire.ts';
import {
  ACK_HEADER,
  DEFAULT_ENDPOINT,
  INSTANCE_HEADER,
  MESSAGE_HTTP,
  RETRY_HEADER,
  SECRET_HEADER,
} from '../protocol/long-poll-wire.ts';
import type { ReverseRequest, ReverseResponse } from '../protocol/message.ts';
import { parseResponseBatch, printBatch, printRequest } from '../protocol/message-http.ts';
import type { ClientSession } from './client-session.ts';
import { type Hub, sameToken } from './hub.ts';
import { headerLimitError, readBodyWithin, tooManyRequests } from './limits.ts';
import { REMOTE_ADDRESS_HEADER } from './node-adapter.ts';
import { RateLimiter } from './rate-limit.ts';

/** A fetch-shaped handler; `null` means "not mine", so handlers can be chained. */
export type RouteHandler = (request: Request) => Promise<Response | null>;

/** Largest connect body: it only names the page. */
const CONNECT_LIMIT = 64 * 1024;

/** Largest poll upload: a batch of responses, each up to the hub's body limit. */
const UPLOAD_FACTOR = 16;

function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });
}

function mediaType(request: Request): string {
  return (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function parseJson(bytes: Uint8Array | null, what: string): unknown {
  try {
    return JSON.parse(bytes === null ? '' : utf8Text(bytes));
  } catch {
    throw new HttpError(400, `The ${what} body is not valid JSON`);
  }
}

/** A problem as the reverse response its caller gets instead of the page's answer. */
function problemResponse(id: string, problem: HttpError): ReverseResponse {
  return {
    id,
    status: problem.status,
    statusText: '',
    headers: [['content-type', 'application/problem+json']],
    body: utf8(JSON.stringify(problem.toJSON())),
  };
}

/** A malformed entry that still names its request becomes a 502 for that caller, not a 400 for the batch. */
function decodeEntry(entry: unknown): ReverseResponse | null {
  try {
    return decodeWireResponse(entry);
  } catch (error) {
    const id = (entry as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || !(error instanceof HttpError)) return null;
    return problemResponse(id, new HttpError(502, `The page sent a malformed response: ${error.message}`));
  }
}

/** The usable responses of an upload, what was wrong with the rest (a 400 after the good ones count), and the acknowledgement. */
interface Upload {
  responses: ReverseResponse[];
  problem: HttpError | null;
  ack: number;
  retry: boolean;
}

function ackOf(value: unknown): number {
  if (value === undefined || value === null) return 0;
  const ack = Number(value);
  if (!Number.isSafeInteger(ack) || ack < 0)
    throw new HttpError(400, `"ack" must be a whole number, got ${JSON.stringify(value)}`);
  return ack;
}

const NO_ID = new HttpError(400, 'A response in the poll body has no id, so it answers nothing');

function decodeUpload(request: Request, bytes: Uint8Array | null, session: ClientSession): Upload {
  if (mediaType(request) === MESSAGE_HTTP) {
    const ack = ackOf(request.headers.get(ACK_HEADER));
    const retry = request.headers.get(RETRY_HEADER) === '1';
    if (bytes === null || bytes.length === 0) return { responses: [], problem: null, ack, retry };
    const isHead = (id: string) => session.calls.get(id)?.request.method.toUpperCase() === 'HEAD';
    const { messages, error } = parseResponseBatch(new Uint8Array(bytes), isHead);
    const responses = messages.filter((response) => response.id !== '');
    return { responses, problem: error ?? (responses.length < messages.length ? NO_ID : null), ack, retry };
  }
  if (bytes === null || bytes.length === 0) return { responses: [], problem: null, ack: 0, retry: false };
  const body = parseJson(bytes, 'poll') as Partial<PollBody> | null;
  const list = body?.responses;
  if (!Array.isArray(list)) throw new HttpError(400, 'The poll body must be {"responses": [...]}');
  const decoded = list.map(decodeEntry);
  const responses = decoded.filter((response): response is ReverseResponse => response !== null);
  const problem = responses.length < decoded.length ? NO_ID : null;
  return { responses, problem, ack: ackOf(body?.ack), retry: body?.retry === true };
}

function encodeBatch(request: Request, requests: ReverseRequest[]): Response {
  if ((request.headers.get('accept') ?? '').includes(MESSAGE_HTTP)) {
    return new Response(printBatch(requests, printRequest), { headers: { 'content-type': MESSAGE_HTTP } });
  }
  const reply: PollReply = { requests: requests.map(encodeWireRequest) };
  return json(reply);
}

/** The long-poll endpoints of `hub`, mounted at `endpoint` (default `/ptth`). */
export function longPollEndpoint(hub: Hub, endpoint = DEFAULT_ENDPOINT): RouteHandler {
  const connectPath = `${endpoint}/connect`;
  const pollPrefix = `${endpoint}/poll/`;
  const uploadLimit = hub.options.maxBodyBytes * UPLOAD_FACTOR;
  const polls = new RateLimiter({ perSecond: hub.options.pollsPerSecond, burst: hub.options.pollBurst });
  hub.on('disconnect', (client) => polls.forget(client.id));

  /**
   * Whether a page's answer is within the limits. One that is not settles its caller with a 502
   * at once (a problem of ours, which no page limit applies to), counted by the option it broke.
   */
  function withinLimits(session: ClientSession, response: ReverseResponse): boolean {
    const call = session.calls.get(response.id);
    // Answers nobody waits for are only counted by the hub; checking them would cost for nothing.
    if (!call) return true;
    const what = `Client "${session.id}" answered ${call.request.method} ${call.request.path} with a response that`;
    const extensions = { client: session.id };
    let problem = headerLimitError(response.headers, hub.options, what, 502, extensions);
    if (!problem && response.body !== null && response.body.length > hub.options.maxBodyBytes) {
      problem = new HttpError(
        502,
        `${what} has a body of ${response.body.length} bytes, over the limit of ${hub.options.maxBodyBytes} (maxBodyBytes)`,
        { extensions: { ...extensions, option: 'maxBodyBytes', limit: hub.options.maxBodyBytes } },
      );
    }
    if (!problem) return true;
    call.settle(hub.limits.refuse(problem, session.id));
    return false;
  }

  async function connect(request: Request): Promise<Response> {
    const bytes = await readBodyWithin(
      request,
      CONNECT_LIMIT,
      hub.limits,
      request.headers.get(REMOTE_ADDRESS_HEADER) ?? '',
    );
    const body = (
      bytes === null || bytes.length === 0 ? {} : parseJson(bytes, 'connect')
    ) as Partial<ConnectBody> | null;
    const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
    const { session, resumed } = hub.connect({
      url: text(body?.url) ?? '',
      userAgent: request.headers.get('user-agent') ?? '',
      dom: body?.dom === true,
      id: text(body?.id),
      secret: text(body?.secret),
      instance: text(body?.instance) ?? '',
      address: request.headers.get(REMOTE_ADDRESS_HEADER) ?? '',
    });
    const reply: ConnectReply = {
      id: session.id,
      secret: session.secret,
      holdMs: hub.options.holdMs,
      maxBodyBytes: hub.options.maxBodyBytes,
      ack: session.nextSeq - 1,
      resumed,
    };
    return json(reply, 201);
  }

  function authenticate(request: Request, id: string): ClientSession {
    const session = hub.session(id);
    if (!session) throw new HttpError(404, `No client with id "${id}"; connect again`, { extensions: { client: id } });
    if (!sameToken(request.headers.get(SECRET_HEADER) ?? '', session.secret)) {
      throw new HttpError(403, `The ${SECRET_HEADER} header does not match client "${id}"`);
    }
    const instance = request.headers.get(INSTANCE_HEADER);
    if (instance && session.instance && instance !== session.instance) {
      throw new HttpError(409, `Another page load has taken over client "${id}"; connect again without it`, {
        extensions: { client: id },
      });
    }
    return session;
  }

  async function poll(request: Request, id: string): Promise<Response> {
    const session = authenticate(request, id);
    // After authenticating: nobody without the secret can spend a client's polls.
    const wait = polls.take(session.id);
    if (wait > 0) {
      const detail = `Client "${session.id}" polls more often than allowed`;
      const error = tooManyRequests(detail, 'pollsPerSecond', polls.perSecond, polls.burst, wait, {
        client: session.id,
      });
      hub.limits.record(error, session.id);
      throw error;
    }
    const bytes = await readBodyWithin(request, uploadLimit, hub.limits, session.id);
    const { responses, problem, ack, retry } = decodeUpload(request, bytes, session);
    hub.receive(
      session,
      responses.filter((response) => withinLimits(session, response)),
    );
    if (problem) throw problem;
    if (request.signal.aborted || hub.session(id) !== session) return encodeBatch(request, []);
    const requests = await new Promise<ReverseRequest[]>((resolve) => {
      const held = {
        deliver: (batch: ReverseRequest[]) => {
          if (request.signal.aborted) return false;
          resolve(batch);
          return true;
        },
      };
      request.signal.addEventListener('abort', () => hub.detachPoll(session, held), { once: true });
      hub.attachPoll(session, held, { ack, retry });
    });
    return encodeBatch(request, requests);
  }

  return async (request) => {
    const path = new URL(request.url).pathname;
    const isConnect = path === connectPath;
    if (!isConnect && !path.startsWith(pollPrefix)) return null;
    try {
      const id = path.slice(pollPrefix.length);
      if (!isConnect && request.method === 'DELETE') {
        // The page says goodbye (close(), or the tab goes away): forget it now, not after expireMs.
        hub.expire(authenticate(request, id).id, 'closed by the page');
        return new Response(null, { status: 204 });
      }
      if (request.method !== 'POST') {
        const allow = isConnect ? 'POST' : 'POST, DELETE';
        throw new HttpError(405, `${request.method} is not allowed on ${path}; use ${allow}`, { headers: { allow } });
      }
      if (isConnect) return await connect(request);
      return await poll(request, id);
    } catch (error) {
      if (error instanceof HttpError) return error.toResponse();
      throw error;
    }
  };
}
