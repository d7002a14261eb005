/**
 * Pieces shared by the long-poll endpoints: JSON replies, body parsing, the decoding of answers
 * and acknowledgements, and the check that a poll comes from the client it names.
 */
import { BufferedResponse } from '../protocol/buffered-response.ts';
import { utf8, utf8Text } from '../protocol/bytes.ts';
import { HttpError } from '../protocol/http-error.ts';
import { decodeWireResponse } from '../protocol/json-codec.ts';
import { MAX_POLL_NAME } from '../protocol/long-poll-wire.ts';
import type { ReverseResponse } from '../protocol/message.ts';
import type { ClientSession } from './client-session.ts';
import type { Hub } from './hub.ts';
import type { AnyRequest } from './light-request.ts';
import { headerLimitError } from './limits.ts';
import { sameToken } from './tokens.ts';

export function json(value: unknown, status = 200): Response {
  return new BufferedResponse(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });
}

export function mediaType(request: AnyRequest): string {
  return (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export function parseJson(bytes: Uint8Array | null, what: string): unknown {
  try {
    return JSON.parse(bytes === null ? '' : utf8Text(bytes));
  } catch {
    throw new HttpError(400, `The ${what} body is not valid JSON`);
  }
}

/** A problem as the reverse response its caller gets instead of the page's answer. */
export function problemResponse(id: string, problem: HttpError): ReverseResponse {
  return {
    id,
    status: problem.status,
    statusText: '',
    headers: [['content-type', 'application/problem+json']],
    body: utf8(JSON.stringify(problem.toJSON())),
  };
}

/** A malformed entry that still names its request becomes a 502 for that caller, not a 400 for the batch. */
export function decodeEntry(entry: unknown): ReverseResponse | null {
  try {
    return decodeWireResponse(entry);
  } catch (error) {
    const id = (entry as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || !(error instanceof HttpError)) return null;
    return problemResponse(id, new HttpError(502, `The page sent a malformed response: ${error.message}`));
  }
}

/**
 * A page's answer, or, when it breaks the header or body limits, a 502 problem in its place for
 * its caller (counted by the option it broke). Answers nobody here waits for are passed on as
 * they are: the hub only counts those.
 */
export function withinLimits(hub: Hub, clientId: string, response: ReverseResponse): ReverseResponse {
  const request = hub.pendingRequest(response.id);
  if (!request) return response;
  const what = `Client "${clientId}" answered ${request.method} ${request.path} with a response that`;
  const extensions = { client: clientId };
  let problem = headerLimitError(response.headers, hub.options, what, 502, extensions);
  const { maxBodyBytes } = hub.options;
  if (!problem && response.body !== null && response.body.length > maxBodyBytes) {
    problem = new HttpError(
      502,
      `${what} has a body of ${response.body.length} bytes, over the limit of ${maxBodyBytes} (maxBodyBytes)`,
      { extensions: { ...extensions, option: 'maxBodyBytes', limit: maxBodyBytes } },
    );
  }
  if (!problem) return response;
  hub.limits.record(problem, clientId);
  return hub.problemAnswer(response.id, problem);
}

export function ackOf(value: unknown): number {
  if (value === undefined || value === null) return 0;
  const ack = Number(value);
  if (!Number.isSafeInteger(ack) || ack < 0)
    throw new HttpError(400, `"ack" must be a whole number, got ${JSON.stringify(value)}`);
  return ack;
}

/** A poll's name (see `PollBody.poll`), `undefined` when it has none; 400 when it is not a short string. */
export function pollNameOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > MAX_POLL_NAME) {
    throw new HttpError(400, `"poll" must be a string of at most ${MAX_POLL_NAME} characters`);
  }
  return value;
}

export const NO_ID = new HttpError(400, 'A response in the poll body has no id, so it answers nothing');

/** The session of client `id` when `secret` is its secret and no other page load holds it; else 404, 403 or 409. */
export async function authenticateClient(
  hub: Hub,
  id: string,
  secret: string,
  instance: string | null,
): Promise<ClientSession> {
  const session = await hub.lookup(id);
  if (!session) throw new HttpError(404, `No client with id "${id}"; connect again`, { extensions: { client: id } });
  if (!sameToken(secret, session.secret)) {
    throw new HttpError(403, `The Ptth-Secret header does not match client "${id}"`);
  }
  if (instance && session.instance && instance !== session.instance) {
    throw new HttpError(409, `Another page load has taken over client "${id}"; connect again without it`, {
      extensions: { client: id },
    });
  }
  return session;
}
