/**
 * Running one reverse request through a handler. It always produces a response the hub can
 * use: a thrown error, a network-error `Response` (status 0) or a body over the hub's limit
 * becomes a problem response, so one bad answer never blocks the batch it travels in.
 */
import { utf8 } from '../protocol/bytes.ts';
import { fromResponse, toRequest } from '../protocol/fetch-convert.ts';
import { HttpError } from '../protocol/http-error.ts';
import type { ReverseRequest, ReverseResponse } from '../protocol/message.ts';
import { bodyOver } from '../protocol/text-response.ts';
import { isThenable } from '../protocol/thenable.ts';
import type { Handler } from './dom-resource.ts';

/**
 * The key of a handler's way to serve a reverse request as it is, with no `Request` made for it
 * nor a `Response` for its answer (the DOM handler has one): each costs more than the rest of a
 * small request in the page. Its answers must be what the fetch-shaped way would give.
 */
export const SERVE_MESSAGE: unique symbol = Symbol.for('ptth.serveMessage');

/** A handler that can also serve reverse requests as they are (see `SERVE_MESSAGE`). */
export interface ServesMessages {
  /** The answer, as it is when it needs no waiting (see `serveRequest`). */
  [SERVE_MESSAGE](message: ReverseRequest): ReverseResponse | Promise<ReverseResponse>;
}

function problemResponse(id: string, error: HttpError): ReverseResponse {
  return {
    id,
    status: error.status,
    statusText: '',
    headers: [['content-type', 'application/problem+json']],
    body: utf8(JSON.stringify(error.toJSON())),
  };
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return 'a value that cannot be shown';
  }
}

/**
 * The handler's answer to `message` as a reverse response; never throws nor rejects. A handler
 * that serves messages and answers at once is answered at once, with no promise (its turns cost
 * a small request more than the rest of it); otherwise the answer comes as a promise.
 */
export function serveRequest(
  handler: Handler,
  message: ReverseRequest,
  maxBodyBytes: number,
): ReverseResponse | Promise<ReverseResponse> {
  const direct = (handler as Partial<ServesMessages>)[SERVE_MESSAGE];
  if (direct === undefined) return serveFetchShaped(handler, message, maxBodyBytes);
  try {
    const answer = direct.call(handler, message);
    if (!isThenable(answer)) return checked(message, answer, maxBodyBytes);
    return Promise.resolve(answer)
      .then((done) => checked(message, done, maxBodyBytes))
      .catch((error: unknown) => problemFor(message, error));
  } catch (error) {
    return problemFor(message, error);
  }
}

/** `answer`, or a 502 when its body is over the limit (or it is no answer at all). */
function checked(message: ReverseRequest, answer: ReverseResponse, maxBodyBytes: number): ReverseResponse {
  // An answer naming another request would answer another caller.
  if (typeof answer !== 'object' || answer === null || answer.id !== message.id) {
    return fail(message, 502, `The page's answer to ${what(message)} was unusable: not a response to it`);
  }
  const status = badStatus(message, answer.status);
  if (status !== null) return status;
  if (!bodyOver(answer, maxBodyBytes)) return answer;
  const detail = `The body is larger than the limit of ${maxBodyBytes} bytes`;
  return fail(message, 502, `The page's answer to ${what(message)} was unusable: ${detail}`);
}

const what = (message: ReverseRequest) => `${message.method} ${message.path}`;

/** The 502 for an answer whose status no response to a caller can have, or `null`. */
function badStatus(message: ReverseRequest, status: number): ReverseResponse | null {
  if (status >= 200 && status <= 599) return null;
  return fail(message, 502, `The page answered ${what(message)} with status ${status}`);
}

function fail(message: ReverseRequest, status: number, detail: string): ReverseResponse {
  return problemResponse(message.id, new HttpError(status, detail));
}

/**
 * The answer to `message` when serving it threw `error`: a request the fetch classes refuse (bad
 * method or header) is the caller's fault, a 400; else a 500 (an `HttpError` its own status).
 */
export function problemFor(message: ReverseRequest, error: unknown): ReverseResponse {
  const status = error instanceof HttpError ? error.status : error instanceof TypeError ? 400 : 500;
  return fail(message, status, `The page could not serve ${what(message)}: ${messageOf(error)}`);
}

async function serveFetchShaped(
  handler: Handler,
  message: ReverseRequest,
  maxBodyBytes: number,
): Promise<ReverseResponse> {
  let response: Response;
  try {
    response = await handler(toRequest(message));
  } catch (error) {
    return problemFor(message, error);
  }
  // Not `instanceof`: a Response of another realm (an iframe's) is one too.
  if (typeof response !== 'object' || response === null || typeof response.status !== 'number') {
    return fail(message, 502, `The page's answer to ${what(message)} was unusable: not a Response`);
  }
  const status = badStatus(message, response.status);
  if (status !== null) return status;
  try {
    return await fromResponse(message.id, response, maxBodyBytes);
  } catch (error) {
    return fail(message, 502, `The page's answer to ${what(message)} was unusable: ${messageOf(error)}`);
  }
}
