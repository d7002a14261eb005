/** Serving files from folders (the demo and the client bundle), without escaping those folders. */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { type AnyRequest, takesLight } from './light-request.ts';
import type { RouteHandler } from './long-poll-endpoint.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.d.ts': 'text/plain; charset=utf-8',
};

/** Serves GET/HEAD under URL `prefix` from `dir`; `index.html` for folders; `null` when nothing is there. */
export function staticFiles(prefix: string, dir: string): RouteHandler {
  const root = normalize(dir + sep);
  return takesLight(async (request: AnyRequest) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return null;
    const pathname = new URL(request.url).pathname;
    if (!pathname.startsWith(prefix)) return null;
    let relative: string;
    try {
      relative = decodeURIComponent(pathname.slice(prefix.length));
    } catch {
      return null;
    }
    let file = normalize(join(root, relative));
    if (!file.startsWith(root) && file + sep !== root) return null;
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      const headers = {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
      };
      return new Response(request.method === 'HEAD' ? null : body, { headers });
    } catch {
      return null;
    }
  });
}
