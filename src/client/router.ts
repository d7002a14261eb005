/**
 * A small router for the page's own resources beside the DOM. Routes are tried in the order they
 * were added; the first whose method and pattern match answers. A path that some route matches
 * belongs to the routes: another method there is a 405 with `Allow`. Any other path goes to the
 * mounted handler (typically the DOM), or is a 404.
 */
import { HttpError } from '../protocol/http-error.ts';
import type { Handler } from './dom-resource.ts';

/** A route's handler: the request and the decoded path parameters (`:name`, and `*` for the rest). */
export type RouteHandler = (request: Request, params: Record<string, string>) => Response | Promise<Response>;

/** A fetch-shaped handler with methods to add routes; each returns the router, for chaining. */
export interface Router extends Handler {
  get(pattern: string, handler: RouteHandler): Router;
  head(pattern: string, handler: RouteHandler): Router;
  post(pattern: string, handler: RouteHandler): Router;
  put(pattern: string, handler: RouteHandler): Router;
  patch(pattern: string, handler: RouteHandler): Router;
  delete(pattern: string, handler: RouteHandler): Router;
  options(pattern: string, handler: RouteHandler): Router;
  /** A route for every method. */
  all(pattern: string, handler: RouteHandler): Router;
  /** The handler for paths no route matches (e.g. `pageHandler()`). */
  mount(handler: Handler): Router;
}

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: RouteHandler;
}

/** Compiles `/items/:id/*` to a regular expression and its parameter names. */
export function compilePattern(pattern: string): { pattern: RegExp; names: string[] } {
  if (!pattern.startsWith('/')) throw new TypeError(`Route pattern "${pattern}" must begin with "/"`);
  const names: string[] = [];
  const source = pattern
    .split('/')
    .map((segment, i, all) => {
      if (segment === '*' && i === all.length - 1) {
        names.push('*');
        return '(.*)';
      }
      if (segment.startsWith(':')) {
        names.push(segment.slice(1));
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { pattern: new RegExp(`^${source}$`), names };
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new HttpError(400, `Path parameter ${JSON.stringify(value)} has an invalid percent-encoding`);
  }
}

/** A new, empty router. */
export function router(): Router {
  const routes: Route[] = [];
  let fallback: Handler | null = null;

  const handle = async (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname;
    const method = request.method.toUpperCase();
    const allowed = new Set<string>();
    for (const route of routes) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      const fits = route.method === '*' || route.method === method || (method === 'HEAD' && route.method === 'GET');
      if (!fits) {
        allowed.add(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        params[name] = decode(match[i + 1] ?? '');
      });
      const response = await route.handler(request, params);
      return method === 'HEAD' ? new Response(null, response) : response;
    }
    if (allowed.size > 0) {
      if (allowed.has('GET')) allowed.add('HEAD');
      allowed.add('OPTIONS');
      const allow = [...allowed].join(', ');
      if (method === 'OPTIONS') return new Response(null, { status: 204, headers: { allow } });
      return new HttpError(405, `${method} is not allowed on ${path}`, { headers: { allow } }).toResponse();
    }
    if (fallback) return fallback(request);
    return new HttpError(404, `No route matches ${path}`).toResponse();
  };

  const add = (method: string) => (pattern: string, handler: RouteHandler) => {
    routes.push({ method, ...compilePattern(pattern), handler });
    return self;
  };
  const self: Router = Object.assign(
    async (request: Request) => {
      try {
        return await handle(request);
      } catch (error) {
        if (error instanceof HttpError) return error.toResponse();
        throw error;
      }
    },
    {
      get: add('GET'),
      head: add('HEAD'),
      post: add('POST'),
      put: add('PUT'),
      patch: add('PATCH'),
      delete: add('DELETE'),
      options: add('OPTIONS'),
      all: add('*'),
      mount: (handler: Handler) => {
        fallback = handler;
        return self;
      },
    },
  );
  return self;
}
