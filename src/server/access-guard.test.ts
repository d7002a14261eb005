import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { devApp, startDevServer } from './dev-server.ts';
import { Hub } from './hub.ts';

function setup(options: Parameters<typeof devApp>[1] = {}) {
  const hub = new Hub();
  const app = devApp(hub, options);
  const call = (url: string, init: RequestInit = {}) => app(new Request(url, init));
  return { hub, call };
}

describe('access guard', () => {
  it('refuses a Host that is not a loopback name or allowed (DNS rebinding)', async (t) => {
    const { hub, call } = setup({ allowedHosts: ['ptth.test'] });
    t.after(() => hub.close());
    for (const url of [
      'http://evil.example:8080/',
      'http://evil.example/ptth/clients',
      'http://127.0.0.1.evil.example/',
    ]) {
      const response = await call(url);
      assert.equal(response.status, 403, url);
      assert.match((await response.json()).detail, /DNS rebinding/);
    }
    for (const url of [
      'http://127.0.0.1:8080/ptth/clients',
      'http://localhost:8080/ptth/clients',
      'http://[::1]:9/ptth/clients',
      'http://ptth.test/ptth/clients',
    ]) {
      assert.equal((await call(url)).status, 200, url);
    }
  });

  it('refuses cross-site browser requests to the endpoints and the gateway, not to the client script', async (t) => {
    const { hub, call } = setup();
    t.after(() => hub.close());
    const crossSite = { 'sec-fetch-site': 'cross-site' };
    assert.equal((await call('http://127.0.0.1:8080/ptth/clients', { headers: crossSite })).status, 403);
    assert.equal(
      (await call('http://127.0.0.1:8080/ptth/connect', { method: 'POST', headers: crossSite, body: '{}' })).status,
      403,
    );
    const otherOrigin = { origin: 'http://evil.example' };
    assert.equal((await call('http://127.0.0.1:8080/ptth/clients/x/html', { headers: otherOrigin })).status, 403);
    // The shared poll of a tab group, too (a simple text/plain POST needs no preflight).
    for (const headers of [crossSite, { ...otherOrigin, 'content-type': 'text/plain' }]) {
      const shared = await call('http://127.0.0.1:8080/ptth/poll', { method: 'POST', headers, body: '{"clients":[]}' });
      assert.equal(shared.status, 403);
    }
    assert.equal(
      (
        await call('http://127.0.0.1:8080/ptth/clients', {
          headers: { origin: 'http://127.0.0.1:8080', 'sec-fetch-site': 'same-origin' },
        })
      ).status,
      200,
    );
    assert.notEqual((await call('http://127.0.0.1:8080/ptth/client.js', { headers: crossSite })).status, 403);
  });

  it('with a token, the gateway needs it as a Bearer token; the page endpoints do not', async (t) => {
    const { hub, call } = setup({ token: 'sesame' });
    t.after(() => hub.close());
    const missing = await call('http://127.0.0.1:8080/ptth/clients');
    assert.equal(missing.status, 401);
    assert.match(missing.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.equal(
      (await call('http://127.0.0.1:8080/ptth/clients', { headers: { authorization: 'Bearer wrong' } })).status,
      401,
    );
    assert.equal(
      (await call('http://127.0.0.1:8080/ptth/clients', { headers: { authorization: 'Bearer sesame' } })).status,
      200,
    );
    assert.equal((await call('http://127.0.0.1:8080/ptth/connect', { method: 'POST', body: '{}' })).status, 201);
  });

  it('counts every refusal in hub.stats() by the rule that refused', async (t) => {
    const { hub, call } = setup({ token: 'sesame' });
    t.after(() => hub.close());
    await call('http://evil.example/');
    await call('http://127.0.0.1:8080/ptth/clients');
    await call('http://127.0.0.1:8080/ptth/connect', { method: 'POST', headers: { origin: 'http://evil.example' } });
    assert.deepEqual(hub.stats().limited, { allowedHosts: 1, token: 1, allowedOrigins: 1 });
  });

  it('refuses to listen on a non-loopback address without a token', async () => {
    await assert.rejects(startDevServer({ host: '0.0.0.0', port: 0 }), /without a token/);
  });
});
