import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CORS_ALLOW_HEADERS, parseOrigins } from './cors.ts';
import { devApp, startDevServer } from './dev-server.ts';
import { Hub } from './hub.ts';
import { LineResponse } from './line-response.ts';

const SERVER = 'http://127.0.0.1:8080';
const PAGE = 'http://localhost:3000';

function setup(allowedOrigins: string[] = [PAGE]) {
  const hub = new Hub({ holdMs: 50, expireMs: 60_000 });
  const app = devApp(hub, { allowedOrigins });
  const call = (path: string, init: RequestInit = {}) => app(new Request(SERVER + path, init));
  /** A request as Chromium sends it from a page on `origin`. */
  const from = (origin: string, path: string, init: RequestInit = {}) =>
    call(path, {
      ...init,
      headers: { origin, 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors', ...(init.headers ?? {}) },
    });
  const preflight = (origin: string, path: string, method = 'POST', headers = 'content-type, ptth-secret') =>
    from(origin, path, {
      method: 'OPTIONS',
      headers: { 'access-control-request-method': method, 'access-control-request-headers': headers },
    });
  return { hub, call, from, preflight };
}

describe('parseOrigins', () => {
  it('keeps origins in the form browsers send them', () => {
    assert.deepEqual(
      [...parseOrigins(['http://LOCALHOST:3000', ' https://app.example/ ', 'http://a.test:80', ''])],
      ['http://localhost:3000', 'https://app.example', 'http://a.test'],
    );
  });

  const refused: Array<[string, RegExp]> = [
    ['*', /one by one/],
    ['null', /one by one/],
    ['localhost:3000', /must be http\(s\):\/\/host\[:port\]$/],
    ['http://a.test/app', /alone, e\.g\. http:\/\/a\.test/],
    ['http://a.test/?x', /alone/],
    ['ftp://a.test', /must be http\(s\):\/\/host\[:port\]$/],
    ['not a url', /is not an origin/],
  ];
  for (const [entry, message] of refused) {
    it(`refuses ${JSON.stringify(entry)} with a message`, () => {
      assert.throws(() => parseOrigins([entry]), message);
    });
  }

  it('a dev server with a bad origin refuses to start', async () => {
    await assert.rejects(startDevServer({ port: 0, allowedOrigins: ['*'] }), /one by one/);
  });
});

describe('CORS on the page endpoints', () => {
  it('answers the preflight of a listed origin: its exact origin, methods, the ptth headers, max-age, Vary', async (t) => {
    const { hub, preflight } = setup();
    t.after(() => hub.close());
    for (const path of ['/ptth/connect', '/ptth/poll/someone']) {
      const response = await preflight(PAGE, path);
      assert.equal(response.status, 204, path);
      const headers = response.headers;
      assert.equal(headers.get('access-control-allow-origin'), PAGE);
      assert.equal(headers.get('access-control-allow-methods'), 'POST, DELETE');
      const allowed = (headers.get('access-control-allow-headers') ?? '').toLowerCase().split(', ');
      for (const name of ['ptth-secret', 'ptth-instance', 'ptth-ack', 'ptth-retry', 'ptth-poll', 'content-type']) {
        assert.ok(allowed.includes(name), name);
      }
      assert.equal(Number(headers.get('access-control-max-age')) > 0, true);
      assert.match(headers.get('vary') ?? '', /Origin/);
      assert.equal(headers.get('access-control-allow-credentials'), null, 'no credentials');
    }
    assert.deepEqual(CORS_ALLOW_HEADERS.slice(0, 5), [
      'Ptth-Secret',
      'Ptth-Instance',
      'Ptth-Ack',
      'Ptth-Retry',
      'Ptth-Poll',
    ]);
  });

  it('a listed page connects, polls and leaves with CORS headers on every answer, errors included', async (t) => {
    const { hub, from } = setup();
    t.after(() => hub.close());
    const connect = await from(PAGE, '/ptth/connect', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${PAGE}/app` }),
    });
    assert.equal(connect.status, 201);
    assert.equal(connect.headers.get('access-control-allow-origin'), PAGE);
    assert.equal(connect.headers.get('access-control-expose-headers'), 'Retry-After, Ptth-Hello');
    assert.match(connect.headers.get('vary') ?? '', /Origin/);
    const { id, secret } = (await connect.json()) as { id: string; secret: string };
    const poll = await from(PAGE, `/ptth/poll/${id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'ptth-secret': secret },
      body: '{"responses":[]}',
    });
    assert.equal(poll.status, 200);
    assert.equal(poll.headers.get('access-control-allow-origin'), PAGE);
    const wrong = await from(PAGE, `/ptth/poll/${id}`, { method: 'POST', headers: { 'ptth-secret': 'x' }, body: '' });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.headers.get('access-control-allow-origin'), PAGE, 'the page can read why');
    const bye = await from(PAGE, `/ptth/poll/${id}`, { method: 'DELETE', headers: { 'ptth-secret': secret } });
    assert.equal(bye.status, 204);
    assert.equal(bye.headers.get('access-control-allow-origin'), PAGE);
    assert.equal(hub.clients().length, 0);
  });

  it("a listed page's streamed shared poll keeps streaming, with the CORS headers", async (t) => {
    const { hub, from } = setup();
    t.after(() => hub.close());
    const connect = await from(PAGE, '/ptth/connect', { method: 'POST', body: JSON.stringify({ url: `${PAGE}/app` }) });
    const { id, secret } = (await connect.json()) as { id: string; secret: string };
    const stream = await from(PAGE, '/ptth/poll', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/x-ndjson', 'ptth-secret': `${id}=${secret}` },
      body: JSON.stringify({ clients: [{ id }] }),
    });
    assert.equal(stream.headers.get('access-control-allow-origin'), PAGE);
    assert.equal(stream.headers.get('content-type'), 'application/x-ndjson');
    // Still the hub's own streamed response: the node adapter writes its lines as they come.
    assert.ok(stream instanceof LineResponse);
    assert.ok(stream.body);
    assert.equal(stream.headers.get('ptth-hello'), '1');
    const reader = stream.body.getReader();
    const hello = await reader.read();
    assert.match(new TextDecoder().decode(hello.value), /^\{"requests":\[\],"refused":\[\],"at":\d+\}\n$/);
    hub.fetch(id, '/across', { timeoutMs: 1_000 }).catch(() => {});
    const { value } = await reader.read();
    assert.match(new TextDecoder().decode(value), /"path":"\/across"/);
    await reader.cancel();
  });

  it('an origin not listed is refused (preflight and request), with a message that says how to allow it', async (t) => {
    const { hub, from, preflight } = setup();
    t.after(() => hub.close());
    const evil = 'http://evil.example';
    const pre = await preflight(evil, '/ptth/connect');
    assert.equal(pre.status, 403);
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
    // A "simple" request needs no preflight: a text/plain POST, as a form or no-cors fetch sends it.
    const simple = await from(evil, '/ptth/connect', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'sec-fetch-site': 'cross-site' },
      body: '{}',
    });
    assert.equal(simple.status, 403);
    assert.equal(simple.headers.get('access-control-allow-origin'), null);
    const detail = (await simple.json()).detail as string;
    assert.match(detail, /Origin http:\/\/evil\.example/);
    assert.match(detail, /PTTH_ALLOWED_ORIGINS=http:\/\/evil\.example/);
    assert.equal(hub.clients().length, 0);
    assert.equal(hub.stats().limited.allowedOrigins, 2);
  });

  it('the gateway stays without CORS, even for a listed origin', async (t) => {
    const { hub, from, preflight } = setup();
    t.after(() => hub.close());
    const session = await hub.register({ url: 'http://page.test/' });
    const pre = await preflight(PAGE, `/ptth/clients/${session.id}/html`, 'GET');
    assert.equal(pre.status, 403);
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
    for (const path of ['/ptth/clients', `/ptth/clients/${session.id}/html`]) {
      const response = await from(PAGE, path);
      assert.equal(response.status, 403, path);
      assert.equal(response.headers.get('access-control-allow-origin'), null, path);
      assert.match((await response.json()).detail, /only curl and servers/);
    }
  });

  it('without a list nothing changes: no CORS headers, no Vary, other origins refused', async (t) => {
    const { hub, call, from, preflight } = setup([]);
    t.after(() => hub.close());
    assert.equal((await preflight(PAGE, '/ptth/connect')).status, 403);
    assert.equal((await from(PAGE, '/ptth/connect', { method: 'POST', body: '{}' })).status, 403);
    const same = await call('/ptth/connect', { method: 'POST', body: '{}' });
    assert.equal(same.status, 201);
    assert.equal(same.headers.get('vary'), null);
    assert.equal(same.headers.get('access-control-allow-origin'), null);
  });

  it('same-origin requests get Vary: Origin but no Access-Control headers', async (t) => {
    const { hub, call } = setup();
    t.after(() => hub.close());
    const response = await call('/ptth/connect', { method: 'POST', body: '{}', headers: { origin: SERVER } });
    assert.equal(response.status, 201);
    assert.equal(response.headers.get('access-control-allow-origin'), null);
    assert.match(response.headers.get('vary') ?? '', /Origin/);
  });

  it('grants a Private Network Access preflight to a listed origin only', async (t) => {
    const { hub, from } = setup();
    t.after(() => hub.close());
    const pna = (origin: string) =>
      from(origin, '/ptth/connect', {
        method: 'OPTIONS',
        headers: { 'access-control-request-method': 'POST', 'access-control-request-private-network': 'true' },
      });
    assert.equal((await pna(PAGE)).headers.get('access-control-allow-private-network'), 'true');
    assert.equal((await pna('http://evil.example')).headers.get('access-control-allow-private-network'), null);
  });

  it('a same-origin OPTIONS without a preflight is still the endpoint 405', async (t) => {
    const { hub, call } = setup();
    t.after(() => hub.close());
    const response = await call('/ptth/connect', { method: 'OPTIONS' });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'POST');
  });
});
