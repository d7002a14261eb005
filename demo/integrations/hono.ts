/**
 * ptth on Hono, or any server built on web-standard `Request`/`Response` (Bun, Deno, Cloudflare
 * Workers need a long-lived process for the hub): `ptthHandler(hub)` answers its paths and
 * returns `null` for the rest. Run on Node with `node --import tsx demo/integrations/hono.ts`
 * (PORT, default 3000); `toNodeListener(app.fetch)` serves it there, `export default app` on Bun.
 * Outside this repository, import from 'ptth/server'.
 */
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { Hono } from 'hono';
import {
  Hub,
  type PtthHandlerOptions,
  pathOf,
  ptthHandler,
  REVERSE_ORIGIN,
  toNodeListener,
} from '../../src/server/index.ts';

/** A Hono app with the hub mounted and one route of its own that reads a connected page. */
export function createApp(hub: Hub, options: PtthHandlerOptions = {}) {
  const ptth = ptthHandler(hub, options);
  const app = new Hono();
  app.use(async (c, next) => {
    const response = await ptth(c.req.raw);
    if (response) return response;
    await next();
  });
  app.get('/', (c) => c.html('<!DOCTYPE html><script src="/ptth/client.js"></script><h1 id="title">Hono</h1>'));
  app.get('/titles', async (c) =>
    c.json(
      await Promise.all(
        hub.clients().map(async (client) => {
          const response = await hub.fetch(client.id, new Request(REVERSE_ORIGIN + pathOf('string(//h1)')));
          return response.text();
        }),
      ),
    ),
  );
  return app;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = Number(process.env.PORT ?? 3000);
  const app = createApp(new Hub());
  createServer(toNodeListener(app.fetch)).listen(port, '127.0.0.1', () => console.log(`http://127.0.0.1:${port}/`));
}
