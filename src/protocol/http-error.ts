/**
 * The one error type of ptth: it knows its HTTP status and renders itself as an RFC 9457
 * `application/problem+json` response.
 */

/** Extra members of a problem document, e.g. `{ expression: "//li[" }`. */
export type ProblemExtensions = Record<string, unknown>;

/** Standard reason phrases for the statuses ptth produces or relays most. */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Continue',
  101: 'Switching Protocols',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  206: 'Partial Content',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The standard reason phrase of a status, or `''` when ptth does not know one. */
export function reasonPhrase(status: number): string {
  return REASON_PHRASES[status] ?? '';
}

/** An error with an HTTP status, rendered as `application/problem+json`. */
export class HttpError extends Error {
  readonly status: number;
  readonly title: string;
  readonly extensions: ProblemExtensions;
  readonly headers: HeadersInit | undefined;

  constructor(
    status: number,
    detail: string,
    options: { title?: string; extensions?: ProblemExtensions; headers?: HeadersInit } = {},
  ) {
    super(detail);
    this.name = 'HttpError';
    this.status = status;
    this.title = options.title ?? (reasonPhrase(status) || 'Error');
    this.extensions = options.extensions ?? {};
    this.headers = options.headers;
  }

  /** The problem document: `{type, title, status, detail, ...extensions}`. */
  toJSON(): Record<string, unknown> {
    return {
      type: 'about:blank',
      title: this.title,
      status: this.status,
      detail: this.message,
      ...this.extensions,
    };
  }

  /** The error as a response with status, extra headers and a problem+json body. */
  toResponse(): Response {
    const headers = new Headers(this.headers);
    headers.set('content-type', 'application/problem+json');
    return new Response(JSON.stringify(this.toJSON()), { status: this.status, headers });
  }
}

/** Shorthand for a problem response, for code that answers rather than throws. */
export function problem(status: number, detail: string, extensions?: ProblemExtensions): Response {
  return new HttpError(status, detail, extensions ? { extensions } : {}).toResponse();
}
