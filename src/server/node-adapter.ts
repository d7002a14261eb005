/**
 * Runs a fetch-shaped handler on `node:http`: each incoming message becomes a `Request` (its body
 * read into memory first, its `signal` aborted when the connection closes early) and the
 * `Response` is written back. The request's signal and body stream are made only when used
 * (node-request.ts), and a `BufferedResponse` is written without a stream. A handler marked as
 * taking light requests (ptth's own routes, light-request.ts) gets one of those instead.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../protocol/http-error.ts';
import { protectPath } from '../protocol/paths.ts';
import { takeBody } from '../protocol/read-body.ts';
import { type AnyRequest, isLight, LightRequest } from './light-request.ts';
import { DEFAULT_LIMITS, headerLimitError } from './limits.ts';
import { LineResponse } from './line-response.ts';
import { Exchange } from './node-request.ts';

export { REMOTE_ADDRESS_HEADER, requestGone, whenGone } from './light-request.ts';

/** A fetch-shaped handler, as on both sides of ptth. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/** A `node:http` request listener. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

/** The default limit of the adapter on any request body: 16 MiB (routes apply smaller ones). */
export const DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/** Options of `toNodeListener`. */
export interface NodeListenerOptions {
  /** Largest request body (413 past it). Default 16 MiB. */
  maxBodyBytes?: number;
  /** Most header fields of a request (431 past it). Default 100. */
  maxHeaders?: number;
  /** Most bytes of a request's header fields: name, value, ": " and CRLF each (431 past it). Default 16 KiB. */
  maxHeaderBytes?: number;
  /** Told of every 413 and 431 the adapter answers (the error names its option), with the peer's address. */
  onLimit?: (error: HttpError, address: string) => void;
}

const EMPTY = Buffer.alloc(0);

/** Reads a whole body into memory; `null` past `limit` bytes (the caller answers 413). */
function readNodeBody(req: IncomingMessage, limit: number): Promise<Buffer | null> | Buffer {
  const length = req.headers['content-length'];
  // Nothing to wait for; Node discards the (empty) rest when the response is written.
  if (length === '0' && req.headers['transfer-encoding'] === undefined) return EMPTY;
  return new Promise((resolve, reject) => {
    const declared = Number(length ?? Number.NaN);
    if (declared > limit) return resolve(null);
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.pause();
        resolve(null);
      } else chunks.push(chunk);
    };
    // Let go of both listeners (and the chunks they hold): a held poll keeps its `req` for long.
    const onEnd = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}

/** A Host header that is a plain host[:port]; anything else could smuggle a path into the URL. */
const VALID_HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** Methods the fetch `Request` class refuses to carry. */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

function requestUrl(req: IncomingMessage): string {
  const host = req.headers.host ?? 'localhost';
  if (!VALID_HOST.test(host)) throw new HttpError(400, `Invalid Host header ${JSON.stringify(host)}`);
  let target = req.url ?? '/';
  if (!target.startsWith('/')) {
    // absolute-form (RFC 9112 §3.2.2), as sent to proxies: keep its path and query.
    try {
      const url = new URL(target);
      target = url.pathname + url.search;
    } catch {
      throw new HttpError(400, `Invalid request target ${JSON.stringify(target)}`);
    }
  }
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  // Concatenate rather than resolve, and protect dot segments: "//li/.." must stay a path.
  return `http://${host}${protectPath(path)}${q < 0 ? '' : target.slice(q)}`;
}

/**
 * The request a handler gets for `req`: a light one for a handler that takes them (unless its URL
 * is one only `Request` can say what is wrong with), else the `Request` the light one stands for.
 */
function toRequest(req: IncomingMessage, body: Buffer | null, exchange: Exchange, light: boolean): AnyRequest {
  const method = req.method ?? 'GET';
  if (FORBIDDEN_METHODS.has(method.toUpperCase())) {
    throw new HttpError(501, `${method} is not implemented by this server`);
  }
  const target = requestUrl(req);
  // An empty body counts only when the client framed one (Content-Length: 0).
  const framed = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  const hasBody = body !== null && method !== 'GET' && method !== 'HEAD' && (body.length > 0 || framed);
  const address = req.socket.remoteAddress ?? '';
  const bytes = hasBody ? (body as Uint8Array<ArrayBuffer>) : null;
  const request = new LightRequest(method, target, req.rawHeaders, address, bytes, exchange);
  return light && parses(request) ? request : request.toRequest();
}

/** Whether the URL of `request` parses (else its `Request` says why, in a 400). */
function parses(request: LightRequest): boolean {
  try {
    return request.url !== '';
  } catch {
    return false;
  }
}

/**
 * A response body as written: a `BufferedResponse`'s text or bytes as they are, any other's read
 * from its stream. Text stays text: Node writes it in one piece with the head, where bytes go
 * out as a second buffer (`writev`).
 */
function bodyOf(response: Response): string | Buffer | null | Promise<Buffer> {
  const held = takeBody(response);
  if (held === undefined) return response.body === null ? null : response.arrayBuffer().then((b) => Buffer.from(b));
  if (held === null || typeof held === 'string') return held;
  return Buffer.from(held.buffer, held.byteOffset, held.byteLength);
}

/** Writes `response`; a promise only when its body has to be read first. */
function write(res: ServerResponse, response: Response, method = 'GET'): Promise<void> | undefined {
  const headers: Record<string, string | string[]> = {};
  let cookie = false;
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
    else cookie = true;
  });
  if (cookie) headers['set-cookie'] = response.headers.getSetCookie();
  // A 413 or 431 leaves the rest of the request unread: close instead of draining it.
  if (response.status === 413 || response.status === 431) headers.connection = 'close';
  if (response instanceof LineResponse) {
    writeLines(res, response, headers);
    return undefined;
  }
  const body = bodyOf(response);
  if (body instanceof Promise)
    return body.then((bytes) => send(res, response.status, response.statusText, headers, bytes, method));
  send(res, response.status, response.statusText, headers, body, method);
  return undefined;
}

function send(
  res: ServerResponse,
  status: number,
  statusText: string,
  headers: Record<string, string | string[]>,
  body: string | Buffer | null,
  method: string,
): void {
  // The bytes decide the length. Only HEAD and 304 may declare a length they do not send:
  // a stray Content-Length on any other bodiless answer would swallow the next response.
  if (body !== null)
    headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  else if (method !== 'HEAD' && status !== 304) {
    delete headers['content-length'];
    if (status !== 204 && status >= 200) headers['content-length'] = '0';
  }
  if (res.destroyed) return;
  res.writeHead(status, statusText || undefined, headers);
  res.end(body);
}

/**
 * A streamed poll's lines, each written as it comes (chunked). The head goes at once: the page
 * learns that the hub took its poll (and the answers on it) without waiting for a line. A client
 * that does not read is not written to past the socket's buffer (the next line waits for
 * `drain`); one that goes cancels the stream (and the poll, which watches it with `whenGone`).
 */
function writeLines(res: ServerResponse, response: LineResponse, headers: Record<string, string | string[]>): void {
  const body = response.body;
  if (res.destroyed || body === null) return;
  delete headers['content-length'];
  res.writeHead(response.status, response.statusText || undefined, headers);
  res.flushHeaders();
  const reader = body.getReader();
  res.once('close', () => void reader.cancel().catch(() => {}));
  const pump = async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await drained(res);
      if (res.destroyed) return;
    }
    res.end();
  };
  pump().catch(() => res.destroy());
}

/** Resolves on `res`'s next 'drain' or its 'close', taking both listeners off again (a stream waits many times). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

/** Pairs of `rawHeaders` as fields. */
function* rawFields(raw: readonly string[]): Generator<[string, string]> {
  for (let i = 0; i < raw.length; i += 2) yield [raw[i] as string, raw[i + 1] as string];
}

/** Whether `rawHeaders` are within the limits, counted as `measureHeaders` counts them. */
function withinHeaderLimits(raw: readonly string[], limits: { maxHeaders: number; maxHeaderBytes: number }): boolean {
  if (raw.length / 2 > limits.maxHeaders) return false;
  let bytes = 0;
  for (let i = 0; i < raw.length; i++) bytes += (raw[i] as string).length;
  return bytes + raw.length * 2 <= limits.maxHeaderBytes;
}

/**
 * A `node:http` listener for a fetch-shaped handler. Header fields are checked first (over
 * `maxHeaders` or `maxHeaderBytes` → 431), bodies are read into memory (over `maxBodyBytes` →
 * 413); a bad Host or target is a 400, a handler that throws answers 500. A number as the second
 * argument is `maxBodyBytes`, as before.
 */
export function toNodeListener(handler: FetchHandler, options: NodeListenerOptions | number = {}): NodeListener {
  const settings = typeof options === 'number' ? { maxBodyBytes: options } : options;
  const maxBodyBytes = settings.maxBodyBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  const headerLimits = {
    maxHeaders: settings.maxHeaders ?? DEFAULT_LIMITS.maxHeaders,
    maxHeaderBytes: settings.maxHeaderBytes ?? DEFAULT_LIMITS.maxHeaderBytes,
  };
  const refuse = (error: HttpError, req: IncomingMessage): HttpError => {
    settings.onLimit?.(error, req.socket.remoteAddress ?? '');
    return error;
  };
  const light = isLight(handler);
  return (req, res) => {
    const exchange = new Exchange(res);
    const run = async () => {
      let response: Response;
      try {
        if (!withinHeaderLimits(req.rawHeaders, headerLimits)) {
          const headerError = headerLimitError(rawFields(req.rawHeaders), headerLimits, 'The request');
          if (headerError) throw refuse(headerError, req);
        }
        const reading = req.method === 'GET' || req.method === 'HEAD' ? null : readNodeBody(req, maxBodyBytes);
        const body = reading instanceof Promise ? await reading : reading;
        if (body === null && req.method !== 'GET' && req.method !== 'HEAD') {
          const detail = `The body is larger than the limit of ${maxBodyBytes} bytes`;
          throw refuse(
            new HttpError(413, detail, { extensions: { option: 'maxBodyBytes', limit: maxBodyBytes } }),
            req,
          );
        }
        // A handler marked as light takes either kind.
        const request = toRequest(req, body, exchange, light);
        response = await (handler as (request: AnyRequest) => Response | Promise<Response>)(request);
      } catch (error) {
        if (exchange.closed) return;
        if (error instanceof HttpError) return write(res, error.toResponse(), req.method);
        const detail = error instanceof Error ? error.message : String(error);
        response = new HttpError(500, `The server failed: ${detail}`).toResponse();
      }
      return write(res, response, req.method);
    };
    run().catch((error) => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
      console.error('ptth: failed to write a response:', error);
    });
  };
}
