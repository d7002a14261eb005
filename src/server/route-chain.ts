/**
 * Route handlers tried in turn: the answer of the first one that answers (not `null`). Written
 * with `then` rather than a loop of `await`s: a held poll waits for its answer through every
 * layer of routes, and each suspended async frame costs ≈ 0.4 KB for as long as the poll is held
 * (10,000 idle clients, several layers each).
 */
import type { RouteHandler } from './long-poll-endpoint.ts';

/** The first answer of `routes` to `request`, from `routes[from]` on; `orElse(request)` when none answers. */
export function firstAnswer(
  routes: readonly RouteHandler[],
  request: Request,
  orElse: (request: Request) => Response,
  from = 0,
): Promise<Response> {
  try {
    if (from >= routes.length) return Promise.resolve(orElse(request));
    return (routes[from] as RouteHandler)(request).then(
      (response) => response ?? firstAnswer(routes, request, orElse, from + 1),
    );
  } catch (error) {
    return Promise.reject(error);
  }
}
