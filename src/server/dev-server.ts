/**
 * The dev server: the demo page, the client bundle, the long-poll endpoints, the PTTH upgrade
 * (`/ptth/reverse`) and the gateway on one `node:http` server, all driven by one hub.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { HttpError, problem } from '../protocol/http-error.ts';
import { DEFAULT_ENDPOINT } from '../protocol/long-poll-wire.ts';
import { type AccessOptions, accessGuard, isLoopback } from './access-guard.ts';
import { corsPolicy, parseOrigins } from './cors.ts';
import { gateway } from './gateway.ts';
import { Hub, type HubOptions } from './hub.ts';
import { longPollEndpoint, type RouteHandler } from './long-poll-endpoint.ts';
import { type FetchHandler, REMOTE_ADDRESS_HEADER } from './node-adapter.ts';
import { createNodeServer } from './node-server.ts';
import { ptthEndpoint, ptthRoute } from './ptth-endpoint.ts';
import { closingResponseBytes, readUpgradeBody } from './ptth-handshake.ts';
import { staticFiles } from './static-files.ts';

/** The folder holding package.json, index.html, demo/ and dist/ (this file sits two levels down). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Options of the dev server. */
export interface DevServerOptions {
  /** TCP port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Address to listen on. Default 127.0.0.1. */
  host?: string;
  /** Where `index.html` and `demo/` are served from. Default the package root. */
  root?: string;
  /** Where the built client bundle is. Default `dist/client` in the package root. */
  clientDir?: string;
  /** Options of the hub the server creates. */
  hub?: HubOptions;
  /** Extra host names the server may be reached by (DNS rebinding guard); loopback names always. */
  allowedHosts?: readonly string[];
  /**
   * Origins (`http://localhost:3000`) of pages that may connect from another origin: the page
   * endpoints answer them with CORS. The gateway never does. Default none.
   */
  allowedOrigins?: readonly string[];
  /** Required for the gateway when set; required to listen on a non-loopback address. */
  token?: string;
}

/** A running dev server. */
export interface DevServer {
  /** Base URL, e.g. `http://127.0.0.1:8080/`. */
  url: string;
  hub: Hub;
  server: Server;
  /** Stops listening, drops every connection and closes the hub. */
  close(): Promise<void>;
}

/**
 * The dev server's routes as one fetch-shaped handler. Refusals by the access guard are
 * counted in `hub.limits`, as every limit is.
 */
export function devApp(
  hub: Hub,
  options: Pick<DevServerOptions, 'root' | 'clientDir' | 'allowedHosts' | 'allowedOrigins' | 'token'> = {},
): FetchHandler {
  const root = options.root ?? PACKAGE_ROOT;
  const access: AccessOptions = { onRefuse: (error, subject) => hub.limits.record(error, subject) };
  if (options.allowedHosts) access.allowedHosts = options.allowedHosts;
  if (options.allowedOrigins) access.allowedOrigins = options.allowedOrigins;
  if (options.token !== undefined) access.token = options.token;
  const cors = corsPolicy(options.allowedOrigins);
  const routes: RouteHandler[] = [
    accessGuard(access),
    longPollEndpoint(hub),
    ptthRoute(),
    gateway(hub),
    staticFiles(`${DEFAULT_ENDPOINT}/`, options.clientDir ?? join(PACKAGE_ROOT, 'dist', 'client')),
    staticFiles('/demo/', join(root, 'demo')),
    async (request) => {
      const { pathname } = new URL(request.url);
      return pathname === '/'
        ? staticFiles('/', root)(new Request(new URL('/index.html', request.url), request))
        : null;
    },
  ];
  const dispatch: FetchHandler = async (request) => {
    for (const route of routes) {
      const response = await route(request);
      if (response) return response;
    }
    const { pathname } = new URL(request.url);
    if (pathname === `${DEFAULT_ENDPOINT}/client.js` || pathname === `${DEFAULT_ENDPOINT}/client.mjs`) {
      return problem(404, `${pathname} is not built yet; run "npm run build"`);
    }
    return problem(404, `Nothing at ${pathname}`);
  };
  return async (request) => cors.decorate(request, await dispatch(request));
}

/**
 * Answers an upgrade request that is not for PTTH as if it had asked for no upgrade (RFC 9110
 * §7.8 lets a server ignore `Upgrade`), then closes the socket Node has let go of.
 */
async function answerPlainly(app: FetchHandler, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  let response: Response;
  try {
    const { body } = await readUpgradeBody(req, socket, head, 1024 * 1024);
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
    }
    for (const name of ['connection', 'upgrade']) headers.delete(name);
    headers.set(REMOTE_ADDRESS_HEADER, req.socket.remoteAddress ?? '');
    const method = req.method ?? 'GET';
    const bodiless = method === 'GET' || method === 'HEAD';
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? ''}`);
    response = await app(new Request(url, { method, headers, body: bodiless ? null : new Uint8Array(body) }));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    response = (
      error instanceof HttpError ? error : new HttpError(400, `Cannot read this request: ${detail}`)
    ).toResponse();
  }
  if (!socket.destroyed) socket.end(await closingResponseBytes(response, req.method));
}

/** Starts the dev server; resolves once it listens. */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const host = options.host ?? '127.0.0.1';
  // A bad origin fails here, before anything starts.
  parseOrigins(options.allowedOrigins ?? []);
  if (!isLoopback(host) && !options.token) {
    throw new Error(
      `Refusing to listen on ${host} without a token: the gateway can drive every connected page. Set PTTH_TOKEN.`,
    );
  }
  const allowedHosts = [
    ...(options.allowedHosts ?? []),
    ...(isLoopback(host) || host === '0.0.0.0' || host === '::' ? [] : [host]),
  ];
  const hub = new Hub(options.hub);
  const app = devApp(hub, { ...options, allowedHosts });
  const server = createNodeServer(app, {
    maxHeaders: hub.options.maxHeaders,
    maxHeaderBytes: hub.options.maxHeaderBytes,
    onLimit: (error, address) => hub.limits.record(error, address),
  });
  const access: AccessOptions = { allowedHosts };
  if (options.token !== undefined) access.token = options.token;
  const ptth = ptthEndpoint(hub, access);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (ptth.upgrade(req, socket, head)) return;
    socket.on('error', () => socket.destroy());
    void answerPlainly(app, req, socket, head).catch(() => socket.destroy());
  });
  // Held polls last up to holdMs; keep idle keep-alive sockets a little longer than Node's 5 s.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const bound = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${bound}:${address.port}/`,
    hub,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        hub.close();
        ptth.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
