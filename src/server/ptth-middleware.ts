/**
 * ptth on a `node:http` server of your own, or on Express/Connect: a middleware that answers
 * requests under the endpoint and passes every other one on with `next()`. It reads request
 * bodies itself, so mount it before any body parser.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { problem } from '../protocol/http-error.ts';
import { DEFAULT_ENDPOINT } from '../protocol/long-poll-wire.ts';
import type { Hub } from './hub.ts';
import { type AnyRequest, takesLight } from './light-request.ts';
import { toNodeListener } from './node-adapter.ts';
import { isUnderEndpoint, type PtthHandlerOptions, ptthHandler } from './ptth-handler.ts';
import { callRoute } from './route-chain.ts';

/** A Connect-style middleware; without `next`, requests outside the endpoint get a 404. */
export type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

function pathOfTarget(target: string): string {
  const path = target.split('?')[0] ?? '/';
  if (path.startsWith('/')) return path;
  try {
    return new URL(target).pathname;
  } catch {
    return path;
  }
}

/**
 * ptth's routes (`ptthHandler(hub, options)`) as a `node:http` middleware:
 * `createServer((req, res) => ptth(req, res, () => yourListener(req, res)))` or `app.use(ptth)`.
 */
export function ptthMiddleware(hub: Hub, options: PtthHandlerOptions = {}): NodeMiddleware {
  const endpoint = options.endpoint ?? DEFAULT_ENDPOINT;
  const handler = ptthHandler(hub, options);
  const listener = toNodeListener(
    takesLight(
      async (request: AnyRequest) =>
        (await callRoute(handler, request)) ?? problem(404, `Nothing at ${new URL(request.url).pathname}`),
    ),
  );
  return (req, res, next) => {
    if (isUnderEndpoint(pathOfTarget(req.url ?? '/'), endpoint)) listener(req, res);
    else if (next) next();
    else listener(req, res);
  };
}
