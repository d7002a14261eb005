/**
 * Route handlers tried in turn: the answer of the first one that answers (not `null`). Written
 * with `then` rather than a loop of `await`s: a held poll waits for its answer through every
 * layer of routes, and each suspended async frame costs ≈ 0.4 KB for as long as the poll is held
 * (10,000 idle clients, several layers each).
 *
 * Routes marked as taking light requests (light-request.ts) get the request as it came; any other
 * gets the real `Request` (made once, when the first such route is reached).
 */
import { type AnyRequest, asRequest, isLight } from './light-request.ts';
import type { RouteHandler } from './long-poll-endpoint.ts';

/** A route that takes light requests as well as real ones. */
type LightRouteHandler = (request: AnyRequest) => Promise<Response | null>;

/** `route`'s answer to `request`: handed as it is to a route that takes light requests, as a real `Request` to any other. */
export function callRoute(route: RouteHandler, request: AnyRequest): Promise<Response | null> {
  return isLight(route) ? (route as LightRouteHandler)(request) : route(asRequest(request));
}

/** The first answer of `routes` to `request`, from `routes[from]` on; `orElse(request)` when none answers. */
export function firstAnswer(
  routes: readonly RouteHandler[],
  request: AnyRequest,
  orElse: (request: AnyRequest) => Response,
  from = 0,
): Promise<Response> {
  try {
    if (from >= routes.length) return Promise.resolve(orElse(request));
    return callRoute(routes[from] as RouteHandler, request).then(
      (response) => response ?? firstAnswer(routes, request, orElse, from + 1),
    );
  } catch (error) {
    return Promise.reject(error);
  }
}
