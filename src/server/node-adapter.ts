/**
 * Runs a fetch-shaped handler on `node:http`: each incoming message becomes a `Request` (its body
 * streamed, its `signal` aborted when the connection closes early) and the `Response` is written back.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../protocol/http-error.ts';

/** A fetch-shaped handler, as on both sides of ptth. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/** A `node:http` request listener. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

/** The default limit of the adapter on any request body: 16 MiB (routes apply smaller ones). */
export const DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/** Reads a whole body into memory; `null` past `limit` bytes (the caller answers 413). */
function readNodeBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (declared > limit) return resolve(null);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.pause();
        resolve(null);
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function toRequest(req: IncomingMessage, body: Buffer | null, signal: AbortSignal): Request {
  const target = req.url ?? '/';
  // Concatenate rather than resolve: a target like "//li" must stay a path, not a host.
  const url = target.startsWith('/') ? `http://${req.headers.host || 'localhost'}${target}` : target;
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  }
  const method = req.method ?? 'GET';
  // An empty body counts only when the client framed one (Content-Length: 0).
  const framed = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  const hasBody = body !== null && method !== 'GET' && method !== 'HEAD' && (body.length > 0 || framed);
  return new Request(url, { method, headers, signal, body: hasBody ? (body as Uint8Array<ArrayBuffer>) : null });
}

async function write(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  // A 413 leaves the rest of the body unread: close instead of draining it.
  if (response.status === 413) headers.connection = 'close';
  const body = response.body === null ? null : Buffer.from(await response.arrayBuffer());
  // The bytes decide the length; a bodiless answer (HEAD, 304) keeps the length it declares.
  if (body !== null) headers['content-length'] = String(body.length);
  if (res.destroyed) return;
  res.writeHead(response.status, response.statusText || undefined, headers);
  res.end(body);
}

/**
 * A `node:http` listener for a fetch-shaped handler. Bodies are read into memory first (over
 * `maxBodyBytes` → 413); a handler that throws answers 500 (400 for a bad URL).
 */
export function toNodeListener(handler: FetchHandler, maxBodyBytes = DEFAULT_MAX_REQUEST_BYTES): NodeListener {
  return (req, res) => {
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort(new Error('The connection closed before the response was sent'));
    });
    const run = async () => {
      let response: Response;
      try {
        const body = req.method === 'GET' || req.method === 'HEAD' ? null : await readNodeBody(req, maxBodyBytes);
        if (body === null && req.method !== 'GET' && req.method !== 'HEAD') {
          throw new HttpError(413, `The body is larger than the limit of ${maxBodyBytes} bytes`);
        }
        response = await handler(toRequest(req, body, controller.signal));
      } catch (error) {
        if (controller.signal.aborted) return;
        if (error instanceof HttpError) return write(res, error.toResponse());
        const invalidUrl = error instanceof TypeError && /URL/i.test(error.message);
        const detail = error instanceof Error ? error.message : String(error);
        response = new HttpError(invalidUrl ? 400 : 500, detail).toResponse();
      }
      await write(res, response);
    };
    run().catch((error) => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
      console.error('ptth: failed to write a response:', error);
    });
  };
}
