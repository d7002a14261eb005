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
import type { Handler } from './dom-resource.ts';

/**
 * The key of a handler's way to serve a reverse request as it is, with no `Request` made for it
 * nor a `Response` for its answer (the DOM handler has one): each costs more than the rest of a
 * small request in the page. Its answers must be what the fetch-shaped way would give.
 */
export const SERVE_MESSAGE: unique symbol = Symbol.for('ptth.serveMessage');

/** A handler that can also serve reverse requests as they are (see `SERVE_MESSAGE`). */
export interface ServesMessages {
  [SERVE_MESSAGE](message: ReverseRequest): Promise<ReverseResponse>;
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

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The handler's answer to `message` as a reverse response; never rejects. */
export async function serveRequest(
  handler: Handler,
  message: ReverseRequest,
  maxBodyBytes: number,
): Promise<ReverseResponse> {
  const what = `${message.method} ${message.path}`;
  const fail = (status: number, detail: string) => problemResponse(message.id, new HttpError(status, detail));
  const direct = (handler as Partial<ServesMessages>)[SERVE_MESSAGE];
  let response: Response;
  try {
    if (direct !== undefined) {
      const answer = await direct.call(handler, message);
      if (!bodyOver(answer, maxBodyBytes)) return answer;
      const detail = `The body is larger than the limit of ${maxBodyBytes} bytes`;
      return fail(502, `The page's answer to ${what} was unusable: ${detail}`);
    }
    response = await handler(toRequest(message));
  } catch (error) {
    // A request the fetch classes refuse (bad method or header) is the caller's fault: 400.
    const status = error instanceof HttpError ? error.status : error instanceof TypeError ? 400 : 500;
    return fail(status, `The page could not serve ${what}: ${messageOf(error)}`);
  }
  if (response.status < 200 || response.status > 599) {
    return fail(502, `The page answered ${what} with status ${response.status}`);
  }
  try {
    return await fromResponse(message.id, response, maxBodyBytes);
  } catch (error) {
    return fail(502, `The page's answer to ${what} was unusable: ${messageOf(error)}`);
  }
}
