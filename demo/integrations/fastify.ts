/**
 * ptth on Fastify: an `onRequest` hook hands requests under /ptth to the hub before Fastify
 * parses their bodies, and hijacks the reply; everything else goes on to your routes.
 * Run: `node --import tsx demo/integrations/fastify.ts` (PORT, default 3000).
 * Outside this repository, import from 'ptth/server'.
 */
import { pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import { Hub, type PtthHandlerOptions, pathOf, ptthMiddleware, REVERSE_ORIGIN } from '../../src/server/index.ts';

/** A Fastify instance with the hub mounted and one route of its own that reads a connected page. */
export function createApp(hub: Hub, options: PtthHandlerOptions = {}) {
  const fastify = Fastify();
  const ptth = ptthMiddleware(hub, options);
  fastify.addHook('onRequest', (request, reply, done) => {
    let passed = false;
    ptth(request.raw, reply.raw, () => {
      passed = true;
      done();
    });
    // The hub answers on the raw response: Fastify must not send one too.
    if (!passed) reply.hijack();
  });
  fastify.get('/', (_request, reply) => {
    reply.type('text/html').send('<!DOCTYPE html><script src="/ptth/client.js"></script><h1 id="title">Fastify</h1>');
  });
  fastify.get('/titles', async () =>
    Promise.all(
      hub.clients().map(async (client) => {
        const response = await hub.fetch(client.id, new Request(REVERSE_ORIGIN + pathOf('string(//h1)')));
        return response.text();
      }),
    ),
  );
  return fastify;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = Number(process.env.PORT ?? 3000);
  const app = createApp(new Hub());
  await app.listen({ port, host: '127.0.0.1' });
  console.log(`http://127.0.0.1:${port}/`);
}
