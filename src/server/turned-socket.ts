/**
 * One turned PTTH socket on the server's side: after the 101, the server writes reverse requests
 * on it as pipelined HTTP/1.1 (an empty `Host`, as the draft says) and reads the peer's responses,
 * which answer them in order. It keeps the requests in flight, so a response is matched by its
 * place in the line, and tells its owner which ones were lost when the socket closes.
 */
import type { Socket } from 'node:net';
import { utf8 } from '../protocol/bytes.ts';
import { debug } from '../protocol/debug.ts';
import { HttpError } from '../protocol/http-error.ts';
import type { HeaderList, ReverseRequest, ReverseResponse } from '../protocol/message.ts';
import { ID_HEADER, printRequest } from '../protocol/message-http.ts';
import { ResponseStream } from '../protocol/response-stream.ts';

const log = debug('ptth:turned-socket');

/** Fields that belong to one connection (RFC 9110 §7.6.1), never carried across a hop. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  // The body goes out with the head, so there is nothing to wait for.
  'expect',
]);

/** How long the socket may be quiet before TCP keep-alive probes start (no idle timeout here). */
const KEEP_ALIVE_DELAY_MS = 30_000;

/** A request written on the socket and not answered yet. */
export interface InFlight {
  id: string;
  method: string;
  seq: number | undefined;
}

/** What a turned socket tells its owner. */
export interface TurnedSocketHooks {
  /** The largest response body accepted. */
  maxBodyBytes: number;
  /** Responses read (or problems standing for them), in order. */
  responses(responses: ReverseResponse[]): void;
  /** The socket closed; `lost` were written on it and never answered. */
  closed(lost: InFlight[]): void;
}

function endToEnd(headers: HeaderList): HeaderList {
  return headers.filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase()));
}

/** A 502 standing for a response that could not be used. */
export function badGatewayResponse(id: string, detail: string): ReverseResponse {
  return {
    id,
    status: 502,
    statusText: '',
    headers: [['content-type', 'application/problem+json']],
    body: utf8(JSON.stringify(new HttpError(502, detail).toJSON())),
  };
}

/** The server's end of one turned socket. */
export class TurnedSocket {
  readonly #socket: Socket;
  readonly #hooks: TurnedSocketHooks;
  readonly #inflight: InFlight[] = [];
  readonly #stream: ResponseStream;
  /** Bytes written before the 101 went out; `null` once it has. */
  #corked: Buffer[] | null = [];
  #closed = false;

  constructor(socket: Socket, hooks: TurnedSocketHooks) {
    this.#socket = socket;
    this.#hooks = hooks;
    // Head and body of one response; past that the peer is refused, not buffered without end.
    this.#stream = new ResponseStream(hooks.maxBodyBytes + 64 * 1024);
    // Peers reconnect when their socket closes: an idle timeout would only make them churn.
    socket.setTimeout(0);
    socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#read(chunk));
    socket.on('error', (error) => log('socket error', error.message));
    // Node's HTTP server keeps half-open sockets; a peer that stops sending can answer nothing more.
    socket.on('end', () => this.close());
    socket.on('close', () => this.#close());
    // The handshake may have paused the socket to read the upgrade request's body.
    socket.resume();
    // A socket that closed during the handshake fires no 'close' any more.
    if (socket.destroyed) queueMicrotask(() => this.#close());
  }

  /** Requests written and not answered yet. */
  get inflight(): number {
    return this.#inflight.length;
  }

  /** Whether the socket is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether request `id` is in flight on this socket. */
  carries(id: string): boolean {
    return this.#inflight.some((request) => request.id === id);
  }

  /** Writes the 101 head, with every request queued meanwhile, in one write. */
  open(head: Buffer): void {
    const corked = this.#corked ?? [];
    this.#corked = null;
    if (!this.#closed) this.#socket.write(Buffer.concat([head, ...corked]));
  }

  /**
   * Writes requests on the socket, pipelined, in one write; returns `false` when the socket is
   * closed (nothing was written). A request that cannot be printed is answered at once with 400.
   */
  send(requests: readonly ReverseRequest[]): boolean {
    if (this.#closed) return false;
    const chunks: Uint8Array[] = [];
    const refused: ReverseResponse[] = [];
    for (const request of requests) {
      try {
        chunks.push(printRequest({ ...request, headers: endToEnd(request.headers) }));
        this.#inflight.push({ id: request.id, method: request.method.toUpperCase(), seq: request.seq });
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        const status = error instanceof HttpError ? error.status : 400;
        refused.push({ ...badGatewayResponse(request.id, detail), status });
      }
    }
    const bytes = Buffer.concat(chunks);
    if (this.#corked !== null) this.#corked.push(bytes);
    else if (bytes.length > 0) this.#socket.write(bytes);
    if (refused.length > 0) this.#hooks.responses(refused);
    return true;
  }

  /** Closes the socket; its unanswered requests are reported as lost. */
  close(): void {
    this.#socket.destroy();
    this.#close();
  }

  #read(chunk: Buffer): void {
    if (this.#closed) return;
    // Responses come in the order of the requests; a HEAD's has no body.
    const { messages, error } = this.#stream.push(chunk, (index) => this.#inflight[index]?.method === 'HEAD');
    const answered: ReverseResponse[] = [];
    let broken: string | null = error ? `a malformed response: ${error.message}` : null;
    for (const response of messages) {
      const request = this.#inflight[0];
      if (request === undefined) broken = 'a response to no request';
      else if (response.id !== '' && response.id !== request.id) {
        broken = `a response with ${ID_HEADER} "${response.id}" where "${request.id}" was next`;
      }
      if (request === undefined || broken !== null) break;
      this.#inflight.shift();
      answered.push({ ...response, id: request.id, headers: endToEnd(response.headers) });
    }
    if (answered.length > 0) this.#hooks.responses(answered);
    if (broken !== null) this.#fail(broken);
  }

  /** The framing is lost: the next caller in line gets a 502 and the socket is closed. */
  #fail(reason: string): void {
    const request = this.#inflight.shift();
    log('closing a turned socket after', reason);
    if (request) {
      this.#hooks.responses([
        badGatewayResponse(request.id, `The peer answered ${request.method} (request ${request.id}) with ${reason}`),
      ]);
    }
    this.close();
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.destroy();
    this.#hooks.closed(this.#inflight.splice(0));
  }
}
