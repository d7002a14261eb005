/**
 * The long-poll endpoints as a fetch-shaped handler:
 * `POST {endpoint}/connect` registers a page; `POST {endpoint}/poll/{id}` uploads the page's
 * responses and is held until reverse requests are queued (or the hold runs out);
 * `DELETE {endpoint}/poll/{id}` is the page leaving; `POST {endpoint}/poll` is a shared poll
 * for several tabs (shared-poll.ts).
 */
import { pathAndQuery } from '../protocol/fetch-convert.ts';
import { HttpError } from '../protocol/http-error.ts';
import { encodeWireRequest } from '../protocol/json-codec.ts';
import type { ConnectBody, ConnectReply, PollBody, PollReply } from '../protocol/long-poll-wire.ts';
import {
  ACK_HEADER,
  DEFAULT_ENDPOINT,
  INSTANCE_HEADER,
  MESSAGE_HTTP,
  POLL_HEADER,
  RETRY_HEADER,
  SECRET_HEADER,
} from '../protocol/long-poll-wire.ts';
import type { ReverseRequest, ReverseResponse } from '../protocol/message.ts';
import { parseResponseBatch, printBatch, printRequest } from '../protocol/message-http.ts';
import type { ClientSession, HeldPoll } from './client-session.ts';
import type { Hub } from './hub.ts';
import {
  type AnyRequest,
  arrivedAt,
  REMOTE_ADDRESS_HEADER,
  requestGone,
  takesLight,
  whenGone,
} from './light-request.ts';
import { readBodyWithin, tooManyRequests } from './limits.ts';
import {
  ackOf,
  authenticateClient,
  decodeEntry,
  json,
  mediaType,
  NO_ID,
  parseJson,
  pollNameOf,
  withinLimits,
} from './poll-body.ts';
import { RateLimiter } from './rate-limit.ts';
import { sharedPoll } from './shared-poll.ts';

/** A fetch-shaped handler; `null` means "not mine", so handlers can be chained. */
export type RouteHandler = (request: Request) => Promise<Response | null>;

/** Largest connect body: it only names the page. */
const CONNECT_LIMIT = 64 * 1024;

/** Largest poll upload: a batch of responses, each up to the hub's body limit. */
const UPLOAD_FACTOR = 16;

/** The usable responses of an upload, what was wrong with the rest (a 400 after the good ones count), the acknowledgement and the poll's name. */
interface Upload {
  responses: ReverseResponse[];
  problem: HttpError | null;
  ack: number;
  retry: boolean;
  poll: string | undefined;
}

function decodeUpload(request: AnyRequest, bytes: Uint8Array | null, hub: Hub): Upload {
  if (mediaType(request) === MESSAGE_HTTP) {
    const ack = ackOf(request.headers.get(ACK_HEADER));
    const retry = request.headers.get(RETRY_HEADER) === '1';
    const poll = pollNameOf(request.headers.get(POLL_HEADER));
    if (bytes === null || bytes.length === 0) return { responses: [], problem: null, ack, retry, poll };
    const isHead = (id: string) => hub.pendingRequest(id)?.method.toUpperCase() === 'HEAD';
    const { messages, error } = parseResponseBatch(new Uint8Array(bytes), isHead);
    const responses = messages.filter((response) => response.id !== '');
    return { responses, problem: error ?? (responses.length < messages.length ? NO_ID : null), ack, retry, poll };
  }
  if (bytes === null || bytes.length === 0)
    return { responses: [], problem: null, ack: 0, retry: false, poll: undefined };
  const body = parseJson(bytes, 'poll') as Partial<PollBody> | null;
  const list = body?.responses;
  if (!Array.isArray(list)) throw new HttpError(400, 'The poll body must be {"responses": [...]}');
  const decoded = list.map(decodeEntry);
  const responses = decoded.filter((response): response is ReverseResponse => response !== null);
  const problem = responses.length < decoded.length ? NO_ID : null;
  return { responses, problem, ack: ackOf(body?.ack), retry: body?.retry === true, poll: pollNameOf(body?.poll) };
}

/** A poll held for its client: answered with the next batch, unless its connection is gone. */
class HeldLongPoll implements HeldPoll {
  constructor(
    readonly request: AnyRequest,
    readonly resolve: (response: Response) => void,
    readonly name: string | undefined,
  ) {}

  deliver(batch: ReverseRequest[]): boolean {
    if (requestGone(this.request)) return false;
    this.resolve(encodeBatch(this.request, batch));
    return true;
  }
}

function encodeBatch(request: AnyRequest, requests: ReverseRequest[]): Response {
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
  const sharedPath = `${endpoint}/poll`;
  const uploadLimit = hub.options.maxBodyBytes * UPLOAD_FACTOR;
  const polls = new RateLimiter({ perSecond: hub.options.pollsPerSecond, burst: hub.options.pollBurst });
  hub.on('disconnect', (client) => polls.forget(client.id));

  /** Counts a poll of client `id`; past `pollsPerSecond` a 429 (after authenticating: nobody else can spend them). */
  function checkPollRate(id: string): void {
    const wait = polls.take(id);
    if (wait <= 0) return;
    const error = tooManyRequests(
      `Client "${id}" polls more often than allowed`,
      'pollsPerSecond',
      polls.perSecond,
      polls.burst,
      wait,
      { client: id },
    );
    hub.limits.record(error, id);
    throw error;
  }

  async function connect(request: AnyRequest): Promise<Response> {
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
    const { session, resumed, ack } = await hub.connect({
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
      ack,
      resumed,
    };
    return json(reply, 201);
  }

  function authenticate(request: AnyRequest, id: string): Promise<ClientSession> {
    return authenticateClient(hub, id, request.headers.get(SECRET_HEADER) ?? '', request.headers.get(INSTANCE_HEADER));
  }

  /** A poll: the page's answers taken, then held; its problems are answered, never thrown. */
  async function poll(request: AnyRequest, id: string): Promise<Response> {
    let session: ClientSession;
    let delivery: { ack: number; retry: boolean };
    let name: string | undefined;
    try {
      session = await authenticate(request, id);
      checkPollRate(session.id);
      const bytes = await readBodyWithin(request, uploadLimit, hub.limits, session.id);
      const { responses, problem, ack, retry, poll } = decodeUpload(request, bytes, hub);
      await hub.receive(
        session,
        responses.map((response) => withinLimits(hub, session.id, response)),
      );
      if (problem) throw problem;
      delivery = { ack, retry };
      name = poll;
    } catch (error) {
      return problemOf(error);
    }
    if (requestGone(request) || hub.session(id) !== session) return encodeBatch(request, []);
    // Returned, not awaited: no frame of this function stays suspended while the poll is held.
    let held: HeldLongPoll | undefined;
    const answer = new Promise<Response>((resolve) => {
      held = new HeldLongPoll(request, resolve, name);
    });
    const poll = held as HeldLongPoll;
    whenGone(request, () => hub.detachPoll(session, poll));
    void hub.attachPoll(session, poll, delivery);
    return answer;
  }

  async function shared(request: AnyRequest): Promise<Response> {
    try {
      if (request.method !== 'POST') {
        throw new HttpError(405, `${request.method} is not allowed on ${sharedPath}; use POST`, {
          headers: { allow: 'POST' },
        });
      }
      // A streamed poll's lines count their time from here: the upload of its answers, however
      // slow, must not make them look held back on the way.
      const arrived = arrivedAt(request);
      const body = parseJson(await readBodyWithin(request, uploadLimit, hub.limits, ''), 'shared poll');
      return await sharedPoll(hub, request, body, checkPollRate, arrived);
    } catch (error) {
      if (error instanceof HttpError) return error.toResponse();
      throw error;
    }
  }

  /** The page says goodbye (close(), or the tab goes away): forget it now, not after expireMs. */
  async function leave(request: AnyRequest, id: string): Promise<Response> {
    try {
      await hub.expire((await authenticate(request, id)).id, 'closed by the page');
      return new Response(null, { status: 204 });
    } catch (error) {
      return problemOf(error);
    }
  }

  // Not async, and nothing awaited: a held poll's promise is handed up as it is, so no frame or
  // promise of this layer stays behind while it is held. It reads nothing a light request lacks.
  return takesLight((request: AnyRequest) => {
    const { path } = pathAndQuery(request.url);
    const isConnect = path === connectPath;
    if (path === sharedPath) return shared(request);
    if (!isConnect && !path.startsWith(pollPrefix)) return Promise.resolve(null);
    const id = path.slice(pollPrefix.length);
    if (!isConnect && request.method === 'DELETE') return leave(request, id);
    if (request.method !== 'POST') {
      const allow = isConnect ? 'POST' : 'POST, DELETE';
      const error = new HttpError(405, `${request.method} is not allowed on ${path}; use ${allow}`, {
        headers: { allow },
      });
      return Promise.resolve(error.toResponse());
    }
    return isConnect ? connect(request).catch(problemOf) : poll(request, id);
  });
}

/** The problem response of an `HttpError`; any other error is thrown again. */
function problemOf(error: unknown): Response {
  if (error instanceof HttpError) return error.toResponse();
  throw error;
}
