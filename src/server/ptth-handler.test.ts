import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Hub } from './hub.ts';
import { ptthHandler } from './ptth-handler.ts';
import { ptthMiddleware } from './ptth-middleware.ts';

const empty = () => mkdtempSync(join(tmpdir(), 'ptth-handler-'));

describe('ptthHandler', () => {
  it('leaves paths outside its endpoint to others (null) and answers 404 inside it', async (t) => {
    const hub = new Hub();
    t.after(() => hub.close());
    const handler = ptthHandler(hub, { clientDir: empty() });
    assert.equal(await handler(new Request('http://127.0.0.1/')), null);
    assert.equal(await handler(new Request('http://127.0.0.1/ptthx/clients')), null);
    const inside = await handler(new Request('http://127.0.0.1/ptth/nothing'));
    assert.equal(inside?.status, 404);
    const unbuilt = await handler(new Request('http://127.0.0.1/ptth/client.js'));
    assert.match(JSON.parse((await unbuilt?.text()) ?? '{}').detail, /not built yet; run "npm run build"/);
    assert.equal((await handler(new Request('http://127.0.0.1/ptth/clients')))?.status, 200);
  });

  it('mounts at another endpoint when told', async (t) => {
    const hub = new Hub();
    t.after(() => hub.close());
    const handler = ptthHandler(hub, { endpoint: '/rhttp', clientDir: false });
    assert.equal(await handler(new Request('http://127.0.0.1/ptth/clients')), null);
    assert.equal((await handler(new Request('http://127.0.0.1/rhttp/clients')))?.status, 200);
    const connect = await handler(
      new Request('http://127.0.0.1/rhttp/connect', { method: 'POST', body: '{"url":"http://page.test/"}' }),
    );
    assert.equal(connect?.status, 201);
    assert.equal(hub.clients().length, 1);
    assert.equal((await handler(new Request('http://127.0.0.1/rhttp/client.js')))?.status, 404);
  });
});

describe('ptthMiddleware', () => {
  it('passes other paths to next(), and answers them 404 without one', async (t) => {
    const hub = new Hub();
    t.after(() => hub.close());
    const ptth = ptthMiddleware(hub, { clientDir: empty() });
    const server = createServer((req, res) =>
      req.url === '/alone' ? ptth(req, res) : ptth(req, res, () => res.end('mine')),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => server.close());
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    assert.equal(await (await fetch(`${base}/app`)).text(), 'mine');
    assert.equal((await fetch(`${base}/ptth/clients`)).status, 200);
    assert.equal((await fetch(`${base}/alone`)).status, 404);
  });
});
