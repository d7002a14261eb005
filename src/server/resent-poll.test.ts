/**
 * A poll the browser sends twice. When the kept-alive connection a poll went on closes before any
 * byte of its answer came back, Chromium sends the same request again on a new connection and the
 * page never hears of the first copy. If the hub answered the first copy with a batch (the
 * connection was dying, and the hub could not know), that batch is lost unless the second copy
 * gets it again: the page's next poll carries no `retry`, since no poll of its own failed. Under
 * the cutting proxy of `e2e/faults.spec.ts` this left 8 callers at 504.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { PollReply, SharedPollReply } from '../protocol/long-poll-wire.ts';
import { parseRequests } from '../protocol/message-http.ts';
import { devApp } from './dev-server.ts';
import { Hub } from './hub.ts';

const ORIGIN = 'http://127.0.0.1:8080';

interface Client {
  id: string;
  secret: string;
}

function setup() {
  const hub = new Hub({ holdMs: 2_000, expireMs: 60_000 });
  const app = devApp(hub, { clientDir: mkdtempSync(join(tmpdir(), 'ptth-empty-')) });
  const post = (path: string, init: RequestInit) => app(new Request(ORIGIN + path, { method: 'POST', ...init }));
  const connect = async (): Promise<Client> => {
    const response = await post('/ptth/connect', { body: JSON.stringify({ url: 'http://page.test/' }) });
    assert.equal(response.status, 201);
    return (await response.json()) as Client;
  };
  /** A call on the client, once the hub holds `held` (so the batch goes to that copy). */
  const callWhenHeld = async (id: string, path: string) => {
    while (hub.session(id)?.poll === null) await new Promise((resolve) => setTimeout(resolve, 1));
    return hub.fetch(id, new Request(`http://ptth.invalid${path}`));
  };
  const answer = (id: string, body: string) => ({ id, status: 200, headers: [['content-type', 'text/plain']], body });
  return { hub, post, connect, callWhenHeld, answer };
}

describe('a poll the browser sent twice', () => {
  it('gets on its second copy (JSON wire) what the first copy was handed, and only that poll does', async (t) => {
    const { hub, post, connect, callWhenHeld, answer } = setup();
    t.after(() => hub.close());
    const client = await connect();
    const poll = (body: object) =>
      post(`/ptth/poll/${client.id}`, {
        headers: { 'content-type': 'application/json', 'ptth-secret': client.secret },
        body: JSON.stringify(body),
      });
    const first = poll({ responses: [], ack: 0, poll: 'p.1' });
    const call = callWhenHeld(client.id, '/a');
    // The hub answered this copy; its connection was dying, so the page never reads it.
    assert.deepEqual(
      ((await (await first).json()) as PollReply).requests.map(({ path, seq }) => [path, seq]),
      [['/a', 1]],
    );
    // Another poll (a new name) gets nothing again: /a may be on its way to the page.
    const other = poll({ responses: [], ack: 0, poll: 'p.2' });
    const late = callWhenHeld(client.id, '/b');
    assert.deepEqual(
      ((await (await other).json()) as PollReply).requests.map(({ path }) => path),
      ['/b'],
    );
    // The browser's second copy of p.1: same body, no retry.
    const again = (await (await poll({ responses: [], ack: 0, poll: 'p.1' })).json()) as PollReply;
    assert.deepEqual(
      again.requests.map(({ path, seq }) => [path, seq]),
      [['/a', 1]],
    );
    // Its answer settles the caller, who would otherwise have waited for a 504.
    void poll({ responses: [answer(again.requests[0]?.id ?? '', 'one')], ack: 2, poll: 'p.3' });
    assert.equal(await (await call).text(), 'one');
    hub.close();
    assert.equal((await late).status, 503);
  });

  it('gets on its second copy (message/http wire, Ptth-Poll) what the first copy was handed', async (t) => {
    const { hub, post, connect, callWhenHeld } = setup();
    t.after(() => hub.close());
    const client = await connect();
    const poll = () =>
      post(`/ptth/poll/${client.id}`, {
        headers: {
          'content-type': 'message/http',
          accept: 'message/http',
          'ptth-secret': client.secret,
          'ptth-ack': '0',
          'ptth-poll': 'h.1',
        },
      });
    const first = poll();
    void callWhenHeld(client.id, '/a');
    const lost = parseRequests(new Uint8Array(await (await first).arrayBuffer()));
    assert.deepEqual(
      lost.map(({ path, seq }) => [path, seq]),
      [['/a', 1]],
    );
    const again = parseRequests(new Uint8Array(await (await poll()).arrayBuffer()));
    assert.deepEqual(
      again.map(({ path, seq }) => [path, seq]),
      [['/a', 1]],
    );
  });

  it('gets on its second copy (shared poll) what the first copy was handed, for each member', async (t) => {
    const { hub, post, connect, callWhenHeld } = setup();
    t.after(() => hub.close());
    const a = await connect();
    const b = await connect();
    const shared = () =>
      post('/ptth/poll', {
        headers: { 'content-type': 'application/json', 'ptth-secret': `${a.id}=${a.secret}, ${b.id}=${b.secret}` },
        body: JSON.stringify({ poll: 's.1', clients: [{ id: a.id }, { id: b.id }] }),
      });
    const first = shared();
    void callWhenHeld(b.id, '/b');
    const lost = (await (await first).json()) as SharedPollReply;
    assert.deepEqual(
      lost.requests.map(({ client, path }) => [client, path]),
      [[b.id, '/b']],
    );
    const again = (await (await shared()).json()) as SharedPollReply;
    assert.deepEqual(
      again.requests.map(({ client, path, seq }) => [client, path, seq]),
      [[b.id, '/b', 1]],
    );
  });

  it('refuses a poll name that is not a short string (400)', async (t) => {
    const { hub, post, connect } = setup();
    t.after(() => hub.close());
    const client = await connect();
    const response = await post(`/ptth/poll/${client.id}`, {
      headers: { 'content-type': 'application/json', 'ptth-secret': client.secret },
      body: JSON.stringify({ responses: [], poll: 'x'.repeat(65) }),
    });
    assert.equal(response.status, 400);
    assert.match(await response.text(), /poll\\" must be a string of at most 64 characters/);
  });
});
