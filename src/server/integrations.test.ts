/**
 * One contract, run against each way of mounting the hub in a server of your own (the examples
 * in demo/integrations): node:http, Express, Fastify and Hono (through web-standard handlers).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createApp as expressApp } from '../../demo/integrations/express.ts';
import { createApp as fastifyApp } from '../../demo/integrations/fastify.ts';
import { createApp as honoApp } from '../../demo/integrations/hono.ts';
import { createApp as nodeApp } from '../../demo/integrations/node-http.ts';
import { REVERSE_ORIGIN } from '../protocol/fetch-convert.ts';
import { Hub } from './hub.ts';
import { toNodeListener } from './node-adapter.ts';
import type { PtthHandlerOptions } from './ptth-handler.ts';
import { connectTestPage } from './test-page.ts';

/** Starts an integration on a free port; resolves with its base URL and a way to stop it. */
type Start = (hub: Hub, options: PtthHandlerOptions) => Promise<{ url: string; stop: () => Promise<void> }>;

async function listening(server: Server): Promise<{ url: string; stop: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const integrations: Array<[string, Start, boolean]> = [
  ['node:http', async (hub, options) => listening(nodeApp(hub, options)), false],
  ['Express', async (hub, options) => listening(createServer(expressApp(hub, options))), true],
  [
    'Fastify',
    async (hub, options) => {
      const app = fastifyApp(hub, options);
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      return { url: `${url}/`, stop: () => app.close() };
    },
    true,
  ],
  ['Hono', async (hub, options) => listening(createServer(toNodeListener(honoApp(hub, options).fetch))), true],
];

/** The status of a GET sent with another Host header than the server's address. */
function statusWithHost(url: string, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    request({ hostname, port, path, headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

function clientDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ptth-client-'));
  writeFileSync(join(dir, 'client.js'), '/* the client */');
  return dir;
}

for (const [name, start, hasTitles] of integrations) {
  describe(`the hub mounted on ${name}`, () => {
    it('serves the app’s own routes, the client script, the endpoints and the gateway side by side', async (t) => {
      const hub = new Hub({ expireMs: 60_000 });
      const { url, stop } = await start(hub, { clientDir: clientDir() });
      t.after(async () => {
        hub.close();
        await stop();
      });
      const home = await fetch(url);
      assert.equal(home.status, 200);
      assert.match(await home.text(), /<script src="\/ptth\/client\.js"><\/script>/);
      const script = await fetch(`${url}ptth/client.js`);
      assert.equal(script.status, 200);
      assert.match(script.headers.get('content-type') ?? '', /javascript/);

      const page = await connectTestPage(url, { html: `<!DOCTYPE html><body><h1 id="title">${name}</h1></body>` });
      t.after(() => page.close());
      const h1 = await hub.fetch(page.id, new Request(`${REVERSE_ORIGIN}/html/body/h1`));
      assert.equal(await h1.text(), `<h1 id="title">${name}</h1>`);
      if (hasTitles) assert.deepEqual(await (await fetch(`${url}titles`)).json(), [name]);

      const listed = (await (await fetch(`${url}ptth/clients`)).json()) as Array<{ id: string }>;
      assert.deepEqual(
        listed.map((client) => client.id),
        [page.id],
      );
      const put = await fetch(`${url}ptth/clients/${page.id}/html/body/h1`, {
        method: 'PUT',
        headers: { 'content-type': 'text/html' },
        body: '<h1 id="title">changed through the gateway</h1>',
      });
      assert.equal(put.status, 200);
      assert.equal(page.document.querySelector('h1')?.textContent, 'changed through the gateway');
      const unknown = await fetch(`${url}ptth/nothing`);
      assert.equal(unknown.status, 404);
      assert.equal(unknown.headers.get('content-type'), 'application/problem+json');
    });

    it('can leave the gateway out, and keeps the DNS-rebinding guard on its paths', async (t) => {
      const hub = new Hub({ expireMs: 60_000 });
      const { url, stop } = await start(hub, { clientDir: clientDir(), gateway: false });
      t.after(async () => {
        hub.close();
        await stop();
      });
      const page = await connectTestPage(url);
      t.after(() => page.close());
      assert.equal((await fetch(`${url}ptth/clients`)).status, 404);
      assert.equal((await hub.fetch(page.id, new Request(`${REVERSE_ORIGIN}/html/body/h1`))).status, 200);
      assert.equal(await statusWithHost(url, '/ptth/client.js', 'localhost'), 200);
      assert.equal(await statusWithHost(url, '/ptth/client.js', 'rebound.example'), 403);
      assert.equal(await statusWithHost(url, '/', 'rebound.example'), 200, 'the app’s own routes are its business');
    });
  });
}
