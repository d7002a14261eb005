/**
 * ptth on Express: `app.use(ptthMiddleware(hub))` before any body parser (it reads the bodies
 * under /ptth itself). Run: `node --import tsx demo/integrations/express.ts` (PORT, default 3000).
 * Outside this repository, import from 'ptth/server'.
 */
import { pathToFileURL } from 'node:url';
import express from 'express';
import { Hub, type PtthHandlerOptions, pathOf, ptthMiddleware, REVERSE_ORIGIN } from '../../src/server/index.ts';

/** An Express app with the hub mounted and one route of its own that reads a connected page. */
export function createApp(hub: Hub, options: PtthHandlerOptions = {}) {
  const app = express();
  app.use(ptthMiddleware(hub, options));
  app.use(express.json());
  app.get('/', (_req, res) => {
    res.type('html').send('<!DOCTYPE html><script src="/ptth/client.js"></script><h1 id="title">Express</h1>');
  });
  // Your routes can call the pages: here, the title of each connected one.
  app.get('/titles', async (_req, res) => {
    const titles = await Promise.all(
      hub.clients().map(async (client) => {
        const response = await hub.fetch(client.id, new Request(REVERSE_ORIGIN + pathOf('string(//h1)')));
        return response.text();
      }),
    );
    res.json(titles);
  });
  return app;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = Number(process.env.PORT ?? 3000);
  const server = createApp(new Hub()).listen(port, '127.0.0.1', () => console.log(`http://127.0.0.1:${port}/`));
  server.keepAliveTimeout = 65_000;
}
