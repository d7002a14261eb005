/**
 * The peer's HTTP server: Node's own `http.Server` machinery serves the turned sockets (it parses
 * the pipelined requests and writes the answers in order), with one layer in front of the app:
 * a request redelivered after a socket died (the same `Ptth-Seq`) is never run twice, but
 * answered again from memory, or when its first run ends. The app is a fetch-shaped handler or
 * a `node:http` request listener, used unchanged.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { DeliveryLog } from '../client/delivery-log.ts';
import { serveRequest } from '../client/serve-request.ts';
import { utf8 } from '../protocol/bytes.ts';
import { fromRequest, toResponse } from '../protocol/fetch-convert.ts';
import { HttpError } from '../protocol/http-error.ts';
import type { HeaderList, ReverseRequest, ReverseResponse } from '../protocol/message.ts';
import { ID_HEADER, printRequest, SEQ_HEADER } from '../protocol/message-http.ts';
import { ResponseStream } from '../protocol/response-stream.ts';
import { memoryPipe } from './memory-pipe.ts';
import { recordResponse } from './record-response.ts';

/** A fetch-shaped handler, as on both sides of ptth. */
export type Handler = (request: Request) => Response | Promise<Response>;

/** A `node:http` request listener. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

/** One served request, as reported by the peer's `request` event. */
export interface ServedRequest {
  id: string;
  method: string;
  path: string;
  status: number;
  ms: number;
}

/** Fields of one connection, or of the PTTH framing, that the app does not see as request headers. */
const NOT_FOR_THE_APP = new Set([
  'host',
  'connection',
  'keep-alive',
  'content-length',
  'transfer-encoding',
  ID_HEADER.toLowerCase(),
  SEQ_HEADER.toLowerCase(),
]);
const FRAMING = new Set(['connection', 'keep-alive', 'content-length', 'transfer-encoding']);

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The reverse request an incoming message carries. */
async function messageOf(req: IncomingMessage, id: string): Promise<ReverseRequest> {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const headers: HeaderList = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    if (!NOT_FOR_THE_APP.has(name.toLowerCase())) headers.push([name, req.rawHeaders[i + 1] as string]);
  }
  const framed = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  const body = await readAll(req);
  return {
    id,
    method: req.method ?? 'GET',
    path: q < 0 ? target : target.slice(0, q),
    query: q < 0 ? '' : target.slice(q + 1),
    headers,
    body: framed || body.length > 0 ? new Uint8Array(body) : null,
  };
}

/** Writes a reverse response on a `ServerResponse`; the bytes decide its length. */
function writeReverse(res: ServerResponse, response: ReverseResponse, method: string): void {
  if (res.destroyed || res.headersSent) return;
  const flat: string[] = [];
  for (const [name, value] of response.headers) {
    const lower = name.toLowerCase();
    // A bodiless answer (HEAD, 304) keeps the length it states; any other length comes from the body.
    const keep = lower === 'content-length' && response.body === null && (method === 'HEAD' || response.status === 304);
    if (!FRAMING.has(lower) || keep) flat.push(name, value);
  }
  const nobody = response.status === 204 || response.status === 304 || method === 'HEAD';
  if (!nobody) flat.push('content-length', String(response.body?.length ?? 0));
  res.writeHead(response.status, response.statusText || undefined, flat);
  res.end(nobody ? undefined : response.body);
}

/** The answer to a redelivered request whose first answer is no longer remembered. */
function forgotten(id: string): ReverseResponse {
  const problem = new HttpError(502, `Request ${id} ran on this peer before and its answer is no longer remembered`);
  return {
    id,
    status: 502,
    statusText: '',
    headers: [['content-type', 'application/problem+json']],
    body: utf8(JSON.stringify(problem.toJSON())),
  };
}

/** The app a peer serves: a fetch-shaped handler or a `node:http` request listener. */
export type App = { handler: Handler } | { listener: NodeListener };

/** The peer's HTTP server; see the module comment. */
export class ReverseServer {
  /** The `node:http` server the turned sockets are handed to; it never listens. */
  readonly server: Server;
  #log = new DeliveryLog();
  readonly #running = new Map<string, Promise<ReverseResponse>>();
  readonly #app: App;
  readonly #served: (record: ServedRequest) => void;

  constructor(app: App, served: (record: ServedRequest) => void = () => {}) {
    this.#app = app;
    this.#served = served;
    // No idle, header or request timeouts: a turned socket stays open until the hub closes it.
    this.server = createServer({ requestTimeout: 0, headersTimeout: 0 }, (req, res) => this.#request(req, res));
    this.server.keepAliveTimeout = 0;
    this.server.timeout = 0;
  }

  /** A new session with the hub: its sequence numbers start after `ack`, remembered answers are void. */
  reset(ack: number): void {
    this.#log = new DeliveryLog(ack);
    this.#running.clear();
  }

  /** Serves a turned socket; `head` holds bytes already read after the 101 (the first requests). */
  take(socket: Duplex, head: Buffer = Buffer.alloc(0)): void {
    if (head.length > 0) socket.unshift(head);
    this.server.emit('connection', socket);
  }

  /** The app as a fetch-shaped handler, for the long-poll transport (which dedupes by itself). */
  handler(): Handler {
    const app = this.#app;
    if ('handler' in app) return app.handler;
    return (request) => this.#bridge(request);
  }

  #request(req: IncomingMessage, res: ServerResponse): void {
    const id = header(req, ID_HEADER) ?? '';
    const seq = Number(header(req, SEQ_HEADER) ?? Number.NaN);
    const method = (req.method ?? 'GET').toUpperCase();
    if (id !== '' && Number.isSafeInteger(seq) && seq > 0) {
      const arrival: ReverseRequest = { id, seq, method, path: '', query: '', headers: [], body: null };
      if (!this.#log.arrive(arrival)) {
        // Delivered again after its socket died: never run twice; answer from memory or when done.
        req.resume();
        const known = this.#log.answer(id) ?? this.#running.get(id);
        void Promise.resolve(known).then((answer) => writeReverse(res, answer ?? forgotten(id), method));
        return;
      }
    }
    const started = performance.now();
    const answer = this.#run(id, req, res, method);
    if (id !== '') this.#running.set(id, answer);
    void answer.then((response) => {
      this.#running.delete(id);
      if (id !== '') this.#log.remember(response);
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      this.#served({ id, method, path, status: response.status, ms: performance.now() - started });
    });
  }

  async #run(id: string, req: IncomingMessage, res: ServerResponse, method: string): Promise<ReverseResponse> {
    const app = this.#app;
    if ('listener' in app) {
      const recorded = recordResponse(id, res, method);
      try {
        app.listener(req, res);
      } catch (error) {
        if (!res.headersSent) res.statusCode = 500;
        res.end();
        console.error('ptth peer: the request listener threw:', error);
      }
      return recorded;
    }
    const response = await serveRequest(app.handler, await messageOf(req, id), Number.POSITIVE_INFINITY);
    writeReverse(res, response, method);
    return response;
  }

  /** Runs a fetch `Request` through the request listener: raw HTTP bytes over an in-memory pipe. */
  async #bridge(request: Request): Promise<Response> {
    const message = await fromRequest('', request);
    const [near, far] = memoryPipe();
    this.server.emit('connection', far);
    const stream = new ResponseStream();
    const isHead = message.method.toUpperCase() === 'HEAD';
    try {
      return await new Promise<Response>((resolve, reject) => {
        near.on('data', (chunk: Buffer) => {
          const { messages, error } = stream.push(chunk, () => isHead);
          if (messages[0]) resolve(toResponse(messages[0]));
          else if (error) reject(error);
        });
        near.on('end', () => reject(new Error('The request listener closed the connection without answering')));
        near.write(printRequest({ ...message, headers: [...message.headers, ['Connection', 'close']] }));
      });
    } finally {
      near.destroy();
    }
  }
}
