/**
 * ptth on a plain `node:http` server of your own: requests under /ptth go to the hub, the rest
 * to your listener. Run: `node --import tsx demo/integrations/node-http.ts` (PORT, default 3000).
 * Outside this repository, import from 'ptth/server'.
 */
import { createServer, type RequestListener } from 'node:http';
import { pathToFileURL } from 'node:url';
import { Hub, type PtthHandlerOptions, ptthMiddleware } from '../../src/server/index.ts';

/** Your server: a page that loads the client, and the hub mounted beside it. */
export function createApp(hub: Hub, options: PtthHandlerOptions = {}) {
  const ptth = ptthMiddleware(hub, options);
  const app: RequestListener = (_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end('<!DOCTYPE html><script src="/ptth/client.js"></script><h1 id="title">node:http</h1>');
  };
  const server = createServer((req, res) => ptth(req, res, () => app(req, res)));
  // Held polls are long requests; keep idle keep-alive connections longer than Node's 5 s.
  server.keepAliveTimeout = 65_000;
  return server;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const hub = new Hub();
  hub.on('connect', async (client) => {
    const response = await hub.fetch(client.id, new Request('http://ptth.invalid/html/body/h1'));
    console.log(client.id, response.status, await response.text());
  });
  createApp(hub).listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () =>
    console.log(`http://127.0.0.1:${process.env.PORT ?? 3000}/`),
  );
}
