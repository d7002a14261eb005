/**
 * The dev server: the demo page, the client bundle, the long-poll endpoints and the gateway on
 * one `node:http` server, all driven by one hub.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { HttpError, problem } from '../protocol/http-error.ts';
import { DEFAULT_ENDPOINT } from '../protocol/long-poll-wire.ts';
import { type AccessOptions, accessGuard, isLoopback } from './access-guard.ts';
import { parseOrigins } from './cors.ts';
import { type Log, logHubEvents, logRequests } from './dev-log.ts';
import { Hub } from './hub.ts';
import type { HubOptions } from './hub-types.ts';
import { type AnyRequest, takesLight } from './light-request.ts';
import type { RouteHandler } from './long-poll-endpoint.ts';
import { type FetchHandler, REMOTE_ADDRESS_HEADER } from './node-adapter.ts';
import { createNodeServer } from './node-server.ts';
import { ptthEndpoint } from './ptth-endpoint.ts';
import { isUnderEndpoint, PACKAGE_ROOT, ptthHandler } from './ptth-handler.ts';
import { closingResponseBytes, readUpgradeBody } from './ptth-handshake.ts';
import { callRoute, firstAnswer } from './route-chain.ts';
import { staticFiles } from './static-files.ts';

/** Options of the dev server. */
export interface DevServerOptions {
  /** TCP port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Address to listen on. Default 127.0.0.1. */
  host?: string;
  /** Where `index.html` and `demo/` are served from. Default the package root. */
  root?: string;
  /**
   * A folder of your own pages, served whole at `/` (`index.html` for folders) instead of the
   * demo; they embed the client with `<script src="/ptth/client.js"></script>`.
   */
  pages?: string;
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
  /** Required for the gateway and the PTTH upgrade when set; required to listen on a non-loopback address. */
  token?: string;
  /** Receives the startup line, clients coming, going and refused, and each gateway request. */
  log?: Log;
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

/** The dev server's routes as one fetch-shaped handler. */
export function devApp(
  hub: Hub,
  options: Pick<
    DevServerOptions,
    'root' | 'pages' | 'clientDir' | 'allowedHosts' | 'allowedOrigins' | 'token' | 'log'
  > = {},
): FetchHandler {
  const root = options.root ?? PACKAGE_ROOT;
  // Refusals by the access guard are counted in `hub.limits`, as every limit is.
  const access: AccessOptions = { onRefuse: (error, subject) => hub.limits.record(error, subject) };
  if (options.allowedHosts) access.allowedHosts = options.allowedHosts;
  if (options.token !== undefined) access.token = options.token;
  const { pages, log, ...ptth } = options;
  const guard = accessGuard(access);
  const routes: RouteHandler[] = [
    // Every path, pages included, must name an allowed Host (DNS rebinding); ptth's own paths are
    // guarded (and counted, and given CORS) by ptthHandler.
    takesLight(async (request: AnyRequest) =>
      isUnderEndpoint(new URL(request.url).pathname) ? null : callRoute(guard, request),
    ),
    ptthHandler(hub, ptth),
    ...(pages !== undefined
      ? [staticFiles('/', pages)]
      : [
          staticFiles('/demo/', join(root, 'demo')),
          async (request: Request) => {
            const { pathname } = new URL(request.url);
            return pathname === '/'
              ? staticFiles('/', root)(new Request(new URL('/index.html', request.url), request))
              : null;
          },
        ]),
  ];
  const app: RouteHandler = takesLight((request: AnyRequest) => firstAnswer(routes, request, nothingHere));
  // Logged around every route, so the guard's refusals of gateway requests are logged too.
  const logged = log ? logRequests(app, log, `${DEFAULT_ENDPOINT}/clients`) : app;
  // `app` always answers, and so does `logged` around it.
  return logged as (request: Request) => Promise<Response>;
}

function nothingHere(request: AnyRequest): Response {
  return problem(404, `Nothing at ${new URL(request.url).pathname}`);
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
  const stopLogging = options.log ? logHubEvents(hub, options.log) : () => {};
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
  const url = `http://${bound}:${address.port}/`;
  options.log?.({ event: 'listening', url, gateway: `${url}ptth/clients` });
  return {
    url,
    hub,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        hub.close();
        ptth.close();
        stopLogging();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
