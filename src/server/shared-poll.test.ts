import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { SharedPollReply } from '../protocol/long-poll-wire.ts';
import { devApp } from './dev-server.ts';
import { Hub } from './hub.ts';
import { parseSecrets } from './shared-poll.ts';

const ORIGIN = 'http://127.0.0.1:8080';

interface Client {
  id: string;
  secret: string;
}

function setup(holdMs = 2_000) {
  const hub = new Hub({ holdMs, expireMs: 60_000 });
  const app = devApp(hub, { clientDir: mkdtempSync(join(tmpdir(), 'ptth-empty-')) });
  const call = async (method: string, path: string, init: RequestInit = {}) =>
    app(new Request(ORIGIN + path, { method, ...init }));
  const connect = async (instance = ''): Promise<Client> => {
    const response = await call('POST', '/ptth/connect', {
      body: JSON.stringify({ url: 'http://page.test/', instance }),
    });
    assert.equal(response.status, 201);
    return (await response.json()) as Client;
  };
  const shared = (clients: Client[], members: object[] = clients.map(({ id }) => ({ id })), init: RequestInit = {}) =>
    call('POST', '/ptth/poll', {
      headers: {
        'content-type': 'application/json',
        'ptth-secret': clients.map(({ id, secret }) => `${id}=${secret}`).join(', '),
      },
      body: JSON.stringify({ clients: members }),
      ...init,
    });
  return { hub, call, connect, shared };
}

const answer = (id: string, body: string) => ({ id, status: 200, headers: [['content-type', 'text/plain']], body });

describe('the shared poll', () => {
  it('parses id=secret pairs and refuses a pair without "="', () => {
    assert.deepEqual(
      [...parseSecrets(' a=b , c=d=e ')],
      [
        ['a', 'b'],
        ['c', 'd=e'],
      ],
    );
    assert.throws(() => parseSecrets('nosecret'), /id=secret pairs/);
  });

  it('is held for every member and answered with the request of whichever is asked, tagged', async (t) => {
    const { hub, connect, shared } = setup();
    t.after(() => hub.close());
    const a = await connect();
    const b = await connect();
    const held = shared([a, b]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(hub.session(a.id)?.poll !== null, true);
    assert.equal(hub.session(b.id)?.poll !== null, true);
    const call = hub.fetch(b.id, new Request('http://ptth.invalid/html/body/p'));
    const reply = (await (await held).json()) as SharedPollReply;
    assert.equal(reply.requests.length, 1);
    assert.equal(reply.requests[0]?.client, b.id);
    assert.equal(reply.requests[0]?.path, '/html/body/p');
    assert.deepEqual(reply.refused, []);
    // Neither member is left holding the finished poll.
    assert.equal(hub.session(a.id)?.poll, null);
    const next = shared(
      [a, b],
      [{ id: a.id }, { id: b.id, ack: 1, responses: [answer(reply.requests[0]?.id ?? '', 'hi')] }],
    );
    const response = await call;
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'hi');
    hub.close();
    await next;
  });

  it('gathers the work of several members that is ready at once into one answer', async (t) => {
    const { hub, connect, shared } = setup();
    t.after(() => hub.close());
    const a = await connect();
    const b = await connect();
    void hub.fetch(a.id, new Request('http://ptth.invalid/a'));
    void hub.fetch(b.id, new Request('http://ptth.invalid/b'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const reply = (await (await shared([a, b])).json()) as SharedPollReply;
    assert.deepEqual(reply.requests.map((request) => `${request.client === a.id ? 'a' : 'b'}${request.path}`).sort(), [
      'a/a',
      'b/b',
    ]);
  });

  it('refuses a member with a wrong secret, another page load or an unknown id, and answers at once', async (t) => {
    const { hub, connect, shared } = setup();
    t.after(() => hub.close());
    const a = await connect();
    const b = await connect();
    const c = await connect('first-load');
    const unknown = { id: 'AAAAAAAAAAAAAAAAAAAAAA', secret: 'x' };
    const members = [{ id: a.id }, { id: b.id }, { id: c.id, instance: 'second-load' }, { id: unknown.id }];
    const secrets = [a, { id: b.id, secret: 'wrong' }, c, unknown];
    const reply = (await (await shared(secrets, members)).json()) as SharedPollReply;
    assert.deepEqual(
      reply.refused.map(({ client, status }) => [client, status]),
      [
        [b.id, 403],
        [c.id, 409],
        [unknown.id, 404],
      ],
    );
    assert.deepEqual(reply.requests, []);
  });

  it('a member cannot answer the requests of a client whose secret it lacks', async (t) => {
    const { hub, connect, shared } = setup();
    t.after(() => hub.close());
    const victim = await connect();
    const thief = await connect();
    const call = hub.fetch(victim.id, new Request('http://ptth.invalid/html'), { timeoutMs: 300 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const requestId = (await hub.store.unanswered(victim.id))[0]?.request.id ?? '';
    const stolen = await shared([thief], [{ id: victim.id, responses: [answer(requestId, 'forged')] }]);
    assert.equal(((await stolen.json()) as SharedPollReply).refused[0]?.status, 403);
    assert.equal((await call).status, 504);
  });

  it('redelivers what a lost shared poll carried when a member asks again', async (t) => {
    const { hub, connect, shared } = setup();
    t.after(() => hub.close());
    const a = await connect();
    void hub.fetch(a.id, new Request('http://ptth.invalid/lost'));
    const first = (await (await shared([a])).json()) as SharedPollReply;
    assert.equal(first.requests[0]?.seq, 1);
    const again = (await (await shared([a], [{ id: a.id, ack: 0, retry: true }])).json()) as SharedPollReply;
    assert.equal(again.requests[0]?.path, '/lost');
    assert.equal(again.requests[0]?.seq, 1);
  });

  it('ends when its hold runs out, and when a member polls on its own', async (t) => {
    const { hub, connect, shared, call } = setup(200);
    t.after(() => hub.close());
    const a = await connect();
    const b = await connect();
    const started = Date.now();
    const reply = (await (await shared([a, b])).json()) as SharedPollReply;
    assert.deepEqual(reply.requests, []);
    assert.ok(Date.now() - started >= 150);
    const held = shared([a, b]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    void call('POST', `/ptth/poll/${a.id}`, {
      headers: { 'ptth-secret': a.secret, 'content-type': 'application/json' },
      body: '{"responses":[]}',
    });
    assert.deepEqual(((await (await held).json()) as SharedPollReply).requests, []);
    assert.equal(hub.session(b.id)?.poll, null);
  });

  it('refuses malformed bodies with a 400 that says what is wrong', async (t) => {
    const { hub, connect, call } = setup();
    t.after(() => hub.close());
    const a = await connect();
    const send = (body: string) =>
      call('POST', '/ptth/poll', {
        headers: { 'content-type': 'application/json', 'ptth-secret': `${a.id}=${a.secret}` },
        body,
      });
    const cases: [string, RegExp][] = [
      ['{', /not valid JSON/],
      ['{"clients": 3}', /must be \{"clients"/],
      ['{"clients": [{}]}', /string "id"/],
      [`{"clients": [{"id": "${a.id}", "responses": {}}]}`, /must be an array/],
      [`{"clients": [{"id": "${a.id}", "ack": -1}]}`, /whole number/],
      [`{"clients": ${JSON.stringify(Array.from({ length: 65 }, () => ({ id: a.id })))}}`, /64 clients/],
    ];
    for (const [body, message] of cases) {
      const response = await send(body);
      assert.equal(response.status, 400, body);
      assert.match(((await response.json()) as { detail: string }).detail, message);
    }
    const wrongMethod = await call('GET', '/ptth/poll');
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get('allow'), 'POST');
  });
});
