/**
 * Everything ptth serves under its endpoint (`/ptth` by default) as one fetch-shaped route, for
 * mounting the hub in a server of your own: the long-poll endpoints pages connect to, the
 * gateway (optional), the client bundle at `{endpoint}/client.js`, and the answer to a PTTH
 * upgrade that reached no `'upgrade'` listener (`attachPtth` handles real ones). Paths outside the
 * endpoint are not its business (`null`); unknown paths inside it are a 404.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { problem } from '../protocol/http-error.ts';
import { DEFAULT_ENDPOINT } from '../protocol/long-poll-wire.ts';
import { type AccessOptions, accessGuard } from './access-guard.ts';
import { corsPolicy } from './cors.ts';
import { type Log, logRequests } from './dev-log.ts';
import { gateway } from './gateway.ts';
import type { Hub } from './hub.ts';
import { type AnyRequest, takesLight } from './light-request.ts';
import { longPollEndpoint, type RouteHandler } from './long-poll-endpoint.ts';
import { ptthRoute } from './ptth-endpoint.ts';
import { firstAnswer } from './route-chain.ts';
import { staticFiles } from './static-files.ts';

/** The folder holding package.json, index.html, demo/ and dist/ (this file sits two levels down). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Options of `ptthHandler`; all optional. */
export interface PtthHandlerOptions {
  /** Where ptth's paths live. Default `/ptth`. */
  endpoint?: string;
  /**
   * Serve the gateway (`{endpoint}/clients/...`), which lets HTTP callers drive every connected
   * page. Default `true`; turn it off when only your own code calls `hub.fetch`.
   */
  gateway?: boolean;
  /** Where the built client bundle is, `false` not to serve it. Default `dist/client` of the package. */
  clientDir?: string | false;
  /** Host names besides loopback that may reach ptth's paths (a DNS-rebinding guard); `*` for any. */
  allowedHosts?: readonly string[];
  /**
   * Origins (`http://localhost:3000`) of pages that may connect from another origin: the page
   * endpoints answer them with CORS. The gateway never does. Default none.
   */
  allowedOrigins?: readonly string[];
  /** When set, the gateway and the PTTH upgrade need `Authorization: Bearer <token>`. */
  token?: string;
  /** Receives a `request` entry for each gateway request. */
  log?: Log;
}

/** Whether a URL path is `endpoint` or under it. */
export function isUnderEndpoint(path: string, endpoint = DEFAULT_ENDPOINT): boolean {
  return path === endpoint || path.startsWith(`${endpoint}/`);
}

/** ptth's routes for `hub` as one route handler; see the module comment. */
export function ptthHandler(hub: Hub, options: PtthHandlerOptions = {}): RouteHandler {
  const endpoint = options.endpoint ?? DEFAULT_ENDPOINT;
  // Refusals by the access guard are counted in `hub.limits`, as every limit is.
  const access: AccessOptions = { onRefuse: (error, subject) => hub.limits.record(error, subject) };
  if (options.allowedHosts) access.allowedHosts = options.allowedHosts;
  if (options.allowedOrigins) access.allowedOrigins = options.allowedOrigins;
  if (options.token !== undefined) access.token = options.token;
  const cors = corsPolicy(options.allowedOrigins, endpoint);
  const clientDir = options.clientDir ?? join(PACKAGE_ROOT, 'dist', 'client');
  const routes: RouteHandler[] = [accessGuard(access, endpoint), longPollEndpoint(hub, endpoint), ptthRoute(endpoint)];
  if (options.gateway !== false) routes.push(gateway(hub, endpoint));
  if (clientDir !== false) routes.push(staticFiles(`${endpoint}/`, clientDir));
  const nothingHere = (request: AnyRequest): Response => {
    const { pathname } = new URL(request.url);
    if (clientDir !== false && /\/client(\.debug)?\.m?js$/.test(pathname)) {
      return problem(404, `${pathname} is not built yet; run "npm run build"`);
    }
    return problem(404, `Nothing at ${pathname}`);
  };
  const handler: RouteHandler = takesLight((request: AnyRequest) => {
    if (!isUnderEndpoint(new URL(request.url).pathname, endpoint)) return Promise.resolve(null);
    const answer = firstAnswer(routes, request, nothingHere);
    // Without allowed origins there is nothing to add, and nothing waits on a held poll to add it.
    return cors.enabled ? answer.then((response) => cors.decorate(request, response)) : answer;
  });
  // Refusals by the guard (401, 403) are gateway requests too: log around the whole chain.
  return options.log ? logRequests(handler, options.log, `${endpoint}/clients`) : handler;
}
