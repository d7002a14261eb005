/**
 * What a client's answer must be to reach its caller (a body within `maxBodyBytes` unless the
 * hub made the answer itself, a final status, a shape a `Response` takes), and the problems the
 * hub gives callers in place of an answer.
 */
import { BufferedResponse } from '../protocol/buffered-response.ts';
import { isNullBodyStatus } from '../protocol/fetch-convert.ts';
import { HttpError, problem } from '../protocol/http-error.ts';
import type { ReverseRequest, ReverseResponse } from '../protocol/message.ts';
import type { HubSettings } from './hub-types.ts';

/** A 503 with `Retry-After`, as every 503 of the hub is. */
export function unavailable(detail: string, clientId: string, retryAfter = 5): Response {
  return new HttpError(503, detail, {
    headers: { 'retry-after': String(retryAfter) },
    extensions: { client: clientId },
  }).toResponse();
}

/** See the module comment; a hub has one. */
export class AnswerCheck {
  /** Problems the transports made in place of a page's answer: exempt from the page's limits. */
  readonly #ours = new WeakSet<ReverseResponse>();

  constructor(
    /** The hub's options, read at each answer. */
    readonly options: Pick<HubSettings, 'maxBodyBytes'>,
  ) {}

  /** See `hub.problemAnswer`. */
  problemAnswer(id: string, error: HttpError): ReverseResponse {
    const answer: ReverseResponse = {
      id,
      status: error.status,
      statusText: '',
      headers: [['content-type', 'application/problem+json']],
      body: new TextEncoder().encode(JSON.stringify(error.toJSON())),
    };
    this.#ours.add(answer);
    return answer;
  }

  /** See `hub.answerProblem`. */
  answerProblem(
    clientId: string,
    request: Pick<ReverseRequest, 'method' | 'path'>,
    response: ReverseResponse,
    malformed?: unknown,
  ): Response | null {
    const bad = (detail: string) =>
      problem(502, `Client "${clientId}" answered ${request.method} ${request.path} with ${detail}`, {
        client: clientId,
      });
    if (malformed !== undefined) {
      return bad(`a malformed response: ${malformed instanceof Error ? malformed.message : String(malformed)}`);
    }
    const ours = this.#ours.has(response);
    if (!ours && response.body !== null && response.body.length > this.options.maxBodyBytes) {
      return bad(`a body of ${response.body.length} bytes, over the limit of ${this.options.maxBodyBytes}`);
    }
    if (response.status < 200) return bad(`status ${response.status}, which a response cannot have here`);
    return null;
  }

  /** The `Response` a caller of `hub.fetch` gets for a client's answer (or the 502 in its place). */
  toResponse(clientId: string, request: ReverseRequest, response: ReverseResponse): Response {
    const refused = this.answerProblem(clientId, request, response);
    if (refused) return refused;
    try {
      // The caller gets the bytes as they came, with no stream unless it asks for one.
      const body = isNullBodyStatus(response.status) ? null : response.body;
      const { status, statusText, headers } = response;
      return new BufferedResponse(body, { status, statusText, headers });
    } catch (error) {
      return this.answerProblem(clientId, request, response, error) as Response;
    }
  }
}
