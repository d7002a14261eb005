/**
 * A `node:http` server for a fetch-shaped handler with ptth's limits made explicit. Node's parser
 * has limits of its own: a request head (request line and header fields) over `maxHeaderSize`
 * never reaches a listener, and it keeps at most `maxHeadersCount` fields, silently dropping the
 * rest. Here Node's head limit is set above ours (room for a long request line), so a request
 * over our header limits gets our 431 with a problem body; Node's limit stays as a backstop whose
 * 431 (and its other parse errors) are also answered as problems rather than with bare status lines.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { HttpError } from '../protocol/http-error.ts';
import { DEFAULT_LIMITS } from './limits.ts';
import { type FetchHandler, type NodeListenerOptions, toNodeListener } from './node-adapter.ts';

/** Room for the request line in Node's head limit, on top of the header bytes allowed. */
export const REQUEST_LINE_ROOM = 16 * 1024;

/** The status and message for an error of Node's HTTP parser, as Node's own default picks the status. */
function parseProblem(error: NodeJS.ErrnoException, headLimit: number): HttpError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new HttpError(
        431,
        `The request line and header fields are larger than ${headLimit} bytes, the server's limit (maxHeaderBytes + ${REQUEST_LINE_ROOM} for the request line)`,
        { extensions: { option: 'maxHeaderBytes', limit: headLimit } },
      );
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new HttpError(413, 'The chunk extensions of the body are too large');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new HttpError(408, 'The request did not arrive in time');
    default:
      return new HttpError(400, `The request is not valid HTTP/1.1 (${error.code ?? error.message})`);
  }
}

/** Writes `error` as a whole problem response on a socket the parser gave up on, and closes it. */
function answerOnSocket(socket: Socket, error: HttpError): void {
  const body = JSON.stringify(error.toJSON());
  socket.end(
    `HTTP/1.1 ${error.status} ${error.title}\r\n` +
      'Content-Type: application/problem+json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/** A `node:http` server running `handler` with `toNodeListener`, its header limits and a problem for every parse error. */
export function createNodeServer(handler: FetchHandler, options: NodeListenerOptions = {}): Server {
  const maxHeaders = options.maxHeaders ?? DEFAULT_LIMITS.maxHeaders;
  const maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_LIMITS.maxHeaderBytes;
  const headLimit = maxHeaderBytes + REQUEST_LINE_ROOM;
  const server = createServer({ maxHeaderSize: headLimit }, toNodeListener(handler, options));
  // One field more than ours, so a request over our limit is seen as over it, not cut to fit.
  server.maxHeadersCount = maxHeaders + 1;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // As Node's own handler: answer only when no response to an earlier request is being written.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const problem = parseProblem(error, headLimit);
    if (problem.status === 431 || problem.status === 413) options.onLimit?.(problem, socket.remoteAddress ?? '');
    answerOnSocket(socket, problem);
  });
  return server;
}
