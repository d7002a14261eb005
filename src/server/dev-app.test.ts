import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { encodeWireResponse } from '../protocol/json-codec.ts';
import type { PollReply } from '../protocol/long-poll-wire.ts';
import { parseRequests, printResponse } from '../protocol/message-http.ts';
import { devApp } from './dev-server.ts';
import { Hub } from './hub.ts';

const ORIGIN = 'http://127.0.0.1:8080';

function setup() {
  const hub = new Hub({ holdMs: 2_000, expireMs: 60_000 });
  const app = devApp(hub, { clientDir: mkdtempSync(join(tmpdir(), 'ptth-empty-')) });
  const call = async (method: string, path: string, init: RequestInit = {}) =>
    app(new Request(ORIGIN + path, { method, ...init }));
  const connect = async () => {
    const response = await call('POST', '/ptth/connect', { body: JSON.stringify({ url: 'http://page.test/' }) });
    assert.equal(response.status, 201);
    return (await response.json()) as { id: string; secret: string; holdMs: number };
  };
  const poll = (id: string, secret: string, body: unknown = { responses: [] }, headers: Record<string, string> = {}) =>
    call('POST', `/ptth/poll/${id}`, {
      headers: { 'ptth-secret': secret, 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body),
    });
  return { hub, call, connect, poll };
}

describe('the long-poll endpoints', () => {
  it('connect answers 201 with an id, a secret and the hold time', async (t) => {
    const { hub, connect } = setup();
    t.after(() => hub.close());
    const reply = await connect();
    assert.equal(reply.holdMs, 2_000);
    assert.equal(hub.clients()[0]?.id, reply.id);
    assert.equal(hub.clients()[0]?.url, 'http://page.test/');
  });

  it('a poll carries responses and is held until a request comes', async (t) => {
    const { hub, connect, poll } = setup();
    t.after(() => hub.close());
    const { id, secret } = await connect();
    const held = poll(id, secret);
    const answer = hub.fetch(id, new Request('http://ptth.invalid/html/body'));
    const reply = (await (await held).json()) as PollReply;
    assert.equal(reply.requests.length, 1);
    const request = reply.requests[0];
    assert.ok(request);
    assert.equal(request.path, '/html/body');
    const response = {
      id: request.id,
      status: 200,
      statusText: '',
      headers: [],
      body: new TextEncoder().encode('<body></body>'),
    };
    void poll(id, secret, { responses: [encodeWireResponse(response as never)] });
    assert.equal(await (await answer).text(), '<body></body>');
  });

  it('speaks message/http batches when asked', async (t) => {
    const { hub, connect, poll } = setup();
    t.after(() => hub.close());
    const { id, secret } = await connect();
    const headers = { 'content-type': 'message/http', accept: 'message/http' };
    const held = poll(id, secret, new Uint8Array(), headers);
    const answer = hub.fetch(id, new Request('http://ptth.invalid/count(//li)'));
    const batch = await held;
    assert.equal(batch.headers.get('content-type'), 'message/http');
    const [request] = parseRequests(new Uint8Array(await batch.arrayBuffer()));
    assert.ok(request);
    const body = printResponse({
      id: request.id,
      status: 200,
      statusText: 'OK',
      headers: [],
      body: new TextEncoder().encode('3'),
    });
    void poll(id, secret, body, headers);
    assert.equal(await (await answer).text(), '3');
  });

  const bad: Array<
    [string, (id: string, secret: string, poll: ReturnType<typeof setup>['poll']) => Promise<Response>, number]
  > = [
    ['a wrong secret', (id, _secret, poll) => poll(id, 'wrong'), 403],
    ['an unknown client', (_id, secret, poll) => poll('nobody', secret), 404],
    ['a body that is not JSON', (id, secret, poll) => poll(id, secret, '{nope'), 400],
    ['a body without responses', (id, secret, poll) => poll(id, secret, { other: 1 }), 400],
    ['a response without an id', (id, secret, poll) => poll(id, secret, { responses: [{ status: 200 }] }), 400],
    [
      'malformed message/http',
      (id, secret, poll) => poll(id, secret, 'HTTP/1.1 abc\r\n\r\n', { 'content-type': 'message/http' }),
      400,
    ],
  ];
  for (const [what, send, status] of bad) {
    it(`a poll with ${what} is ${status}`, async (t) => {
      const { hub, connect, poll } = setup();
      t.after(() => hub.close());
      const { id, secret } = await connect();
      const response = await send(id, secret, poll);
      assert.equal(response.status, status);
      assert.equal(response.headers.get('content-type'), 'application/problem+json');
    });
  }

  it('a malformed response that names its request gives that caller a 502, and the poll goes on', async (t) => {
    const { hub, connect, poll } = setup();
    t.after(() => hub.close());
    const { id, secret } = await connect();
    const held = poll(id, secret);
    const answer = hub.fetch(id, new Request('http://ptth.invalid/x'));
    const [request] = ((await (await held).json()) as PollReply).requests;
    assert.ok(request);
    const next = poll(id, secret, { responses: [{ id: request.id, status: 0, headers: [] }] });
    const response = await answer;
    assert.equal(response.status, 502);
    assert.match((await response.json()).detail, /malformed response/);
    hub.close();
    assert.equal((await next).status, 200);
  });

  it('the good answers of a batch count even when another entry has no id (the poll is then a 400)', async (t) => {
    const { hub, connect, poll } = setup();
    t.after(() => hub.close());
    const { id, secret } = await connect();
    const held = poll(id, secret);
    const answer = hub.fetch(id, new Request('http://ptth.invalid/x'));
    const [request] = ((await (await held).json()) as PollReply).requests;
    assert.ok(request);
    const upload = await poll(id, secret, {
      responses: [{ status: 200 }, { id: request.id, status: 200, headers: [], body: 'ok' }],
    });
    assert.equal(upload.status, 400);
    assert.equal(await (await answer).text(), 'ok');
  });

  it('message/http: a HEAD answer keeps its Content-Length and the next answer in the batch is framed right', async (t) => {
    const { hub, connect, poll } = setup();
    t.after(() => hub.close());
    const { id, secret } = await connect();
    const headers = { 'content-type': 'message/http', accept: 'message/http' };
    const held = poll(id, secret, new Uint8Array(), headers);
    const head = hub.fetch(id, new Request('http://ptth.invalid/h', { method: 'HEAD' }));
    const get = hub.fetch(id, new Request('http://ptth.invalid/g'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    let requests = parseRequests(new Uint8Array(await (await held).arrayBuffer()));
    if (requests.length < 2) {
      requests = [
        ...requests,
        ...parseRequests(new Uint8Array(await (await poll(id, secret, new Uint8Array(), headers)).arrayBuffer())),
      ];
    }
    const [h, g] = requests;
    assert.ok(h && g);
    const batch = new TextEncoder().encode(
      `HTTP/1.1 200 OK\r\nPtth-Id: ${h.id}\r\nContent-Length: 42\r\n\r\n` +
        `HTTP/1.1 200 OK\r\nPtth-Id: ${g.id}\r\nContent-Length: 2\r\n\r\nhi`,
    );
    void poll(id, secret, batch, headers);
    const headResponse = await head;
    assert.equal(headResponse.headers.get('content-length'), '42');
    assert.equal(await (await get).text(), 'hi');
  });

  it('GET on the poll endpoint is 405 with Allow: POST, DELETE', async (t) => {
    const { hub, call, connect } = setup();
    t.after(() => hub.close());
    const { id } = await connect();
    const response = await call('GET', `/ptth/poll/${id}`);
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'POST, DELETE');
  });

  it('DELETE on the poll endpoint with the secret forgets the client at once; without it, 403', async (t) => {
    const { hub, call, connect } = setup();
    t.after(() => hub.close());
    const { id, secret } = await connect();
    assert.equal((await call('DELETE', `/ptth/poll/${id}`, { headers: { 'ptth-secret': 'wrong' } })).status, 403);
    assert.equal(hub.clients().length, 1);
    assert.equal((await call('DELETE', `/ptth/poll/${id}`, { headers: { 'ptth-secret': secret } })).status, 204);
    assert.equal(hub.clients().length, 0);
  });
});

describe('the gateway', () => {
  it('forwards method, path, query, end-to-end headers and body, and relays the response', async (t) => {
    const { hub, call, connect, poll } = setup();
    t.after(() => hub.close());
    const { id, secret } = await connect();
    const held = poll(id, secret);
    const relayed = call('POST', `/ptth/clients/${id}//ul[@id='x']?q=1`, {
      body: '<li>x</li>',
      headers: {
        'content-type': 'text/html',
        connection: 'x-drop',
        'x-drop': '1',
        'keep-alive': 'timeout=5',
        'x-keep': '2',
      },
    });
    const reply = (await (await held).json()) as PollReply;
    const request = reply.requests[0];
    assert.ok(request);
    assert.equal(request.method, 'POST');
    assert.equal(decodeURIComponent(request.path), "//ul[@id='x']");
    assert.equal(request.query, 'q=1');
    assert.equal(request.body, '<li>x</li>');
    const names = request.headers.map(([name]) => name);
    assert.ok(names.includes('x-keep'));
    for (const name of ['x-drop', 'keep-alive', 'connection', 'host']) assert.ok(!names.includes(name), name);
    const response = {
      id: request.id,
      status: 201,
      headers: [
        ['location', '/html/body/ul/li[2]'],
        ['content-type', 'text/html'],
        ['transfer-encoding', 'chunked'],
      ],
      body: '<li>x</li>',
    };
    void poll(id, secret, { responses: [response] });
    const result = await relayed;
    assert.equal(result.status, 201);
    assert.equal(result.headers.get('location'), `/ptth/clients/${id}/html/body/ul/li[2]`);
    assert.equal(result.headers.get('transfer-encoding'), null);
    assert.equal(await result.text(), '<li>x</li>');
  });

  it('lists clients, describes one, and refuses other methods on the list', async (t) => {
    const { hub, call, connect } = setup();
    t.after(() => hub.close());
    const { id } = await connect();
    const list = await call('GET', '/ptth/clients');
    assert.deepEqual(
      (await list.json()).map((client: { id: string }) => client.id),
      [id],
    );
    assert.equal((await (await call('GET', `/ptth/clients/${id}`)).json()).transport, 'long-poll');
    assert.equal((await call('DELETE', '/ptth/clients')).status, 405);
  });

  it('an unknown client is 404 problem JSON naming it', async (t) => {
    const { hub, call } = setup();
    t.after(() => hub.close());
    const response = await call('GET', '/ptth/clients/ghost/html');
    assert.equal(response.status, 404);
    assert.match((await response.json()).detail, /"ghost"/);
  });
});

describe('the dev server routes', () => {
  it('serves index.html at / and the demo files', async (t) => {
    const { hub, call } = setup();
    t.after(() => hub.close());
    const index = await call('GET', '/');
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await index.text(), /<script src="\/ptth\/client.js">/);
    assert.equal((await call('GET', '/demo/demo.js')).status, 200);
  });

  it('never serves files outside the demo folder', async (t) => {
    const { hub, call } = setup();
    t.after(() => hub.close());
    for (const path of [
      '/demo/../package.json',
      '/demo/%2e%2e/package.json',
      '/demo/..%2Fpackage.json',
      '/package.json',
    ]) {
      assert.equal((await call('GET', path)).status, 404, path);
    }
  });

  it('says how to build the client when it is missing', async (t) => {
    const { hub, call } = setup();
    t.after(() => hub.close());
    const response = await call('GET', '/ptth/client.js');
    assert.equal(response.status, 404);
    assert.match((await response.json()).detail, /npm run build/);
  });
});
