import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo, connect as connectSocket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { lines } from '../client/hub-exchange.ts';
import { HELLO_HEADER, type SharedPollReply } from '../protocol/long-poll-wire.ts';
import { devApp } from './dev-server.ts';
import { Hub } from './hub.ts';
import { toNodeListener } from './node-adapter.ts';

const ORIGIN = 'http://127.0.0.1:8080';

interface Client {
  id: string;
  secret: string;
}

/** A hub and its dev app, called fetch-shaped (`app`) or over a loopback server (`served`). */
function setup(t: TestContext, holdMs = 2_000) {
  const hub = new Hub({ holdMs, expireMs: 60_000 });
  t.after(() => hub.close());
  const app = devApp(hub, { clientDir: mkdtempSync(join(tmpdir(), 'ptth-empty-')) });
  const connect = async (): Promise<Client> => {
    const response = await app(
      new Request(`${ORIGIN}/ptth/connect`, { method: 'POST', body: JSON.stringify({ url: 'http://page.test/' }) }),
    );
    assert.equal(response.status, 201);
    return (await response.json()) as Client;
  };
  const poll = (clients: Client[], body: object, stream = true, origin = ORIGIN) =>
    new Request(`${origin}/ptth/poll`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(stream ? { accept: 'application/x-ndjson, application/json' } : {}),
        'ptth-secret': clients.map(({ id, secret }) => `${id}=${secret}`).join(', '),
      },
      body: JSON.stringify(body),
    });
  /** A streamed poll of `client` alone: the response and a reader of its lines. */
  const open = async (client: Client) => {
    const response = await app(poll([client], { clients: [{ id: client.id }] }));
    assert.ok(response.body);
    return { response, next: await lineReader(response.body) };
  };
  return { hub, app, connect, poll, open };
}

/**
 * Reads a stream's lines one at a time, as the page does (`lines`); `null` once it ended. The
 * first, written at once before any request, has none (`HELLO_HEADER`): it is checked here.
 */
async function lineReader(body: ReadableStream<Uint8Array>): Promise<() => Promise<SharedPollReply | null>> {
  const replies = lines(body);
  const hello = (await replies.next()).value;
  assert.deepEqual({ ...hello, at: 0 }, { requests: [], refused: [], at: 0 });
  assert.equal(typeof hello?.at, 'number');
  return async () => (await replies.next()).value ?? null;
}

const answer = (id: string, body: string) => ({ id, status: 200, headers: [['content-type', 'text/plain']], body });

describe('the streamed shared poll', () => {
  it('stays open: each batch is a line as soon as it is ready, answers go up with hold: false (204)', async (t) => {
    const { hub, app, connect, poll, open } = setup(t);
    const a = await connect();
    const { response, next } = await open(a);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/x-ndjson');
    assert.equal(response.headers.get('x-accel-buffering'), 'no');
    for (const path of ['/one', '/two', '/three']) {
      const call = hub.fetch(a.id, path);
      const line = await next();
      assert.ok(line);
      assert.equal(typeof line.at, 'number');
      assert.deepEqual(
        line.requests.map((request) => [request.client, request.path]),
        [[a.id, path]],
      );
      const id = line.requests[0]?.id ?? '';
      const taken = await app(
        poll([a], { hold: false, clients: [{ id: a.id, responses: [answer(id, `at ${path}`)] }] }),
      );
      assert.equal(taken.status, 204);
      assert.equal(await (await call).text(), `at ${path}`);
    }
  });

  it("streams through the body a web-standard server reads (Bun's, Deno's: the Response's own)", async (t) => {
    const { hub, app, connect, poll } = setup(t);
    const a = await connect();
    const response = await app(poll([a], { clients: [{ id: a.id }] }));
    const own = Object.getOwnPropertyDescriptor(Response.prototype, 'body')?.get?.call(response);
    assert.ok(own instanceof ReadableStream);
    const next = await lineReader(own);
    hub.fetch(a.id, '/native', { timeoutMs: 1_000 }).catch(() => {});
    assert.equal((await next())?.requests[0]?.path, '/native');
  });

  it('lives at most about a hold: a batch after that goes down as its last line', async (t) => {
    const holdMs = 300;
    const { hub, connect, open } = setup(t, holdMs);
    const a = await connect();
    const { next } = await open(a);
    // Each batch holds it a hold longer, while it is younger than one: batches 200 ms apart.
    for (const path of ['/young', '/older', '/oldest']) {
      hub.fetch(a.id, path, { timeoutMs: 2_000 }).catch(() => {});
      assert.equal((await next())?.requests[0]?.path, path);
      if (path !== '/oldest') await new Promise((resolve) => setTimeout(resolve, (holdMs * 2) / 3));
    }
    // 400 ms old at its last batch: ended at once, not a hold later.
    const ended = performance.now();
    assert.equal(await next(), null);
    assert.ok(performance.now() - ended < holdMs / 2);
  });

  it('sends the first request of a turn at once, and what comes later in that turn as one line', async (t) => {
    const { hub, connect, open } = setup(t);
    const a = await connect();
    const { next } = await open(a);
    // Five callers in five callbacks of one turn of the event loop, as from five connections.
    for (let i = 1; i <= 5; i++)
      setImmediate(() => hub.fetch(a.id, `/burst/${i}`, { timeoutMs: 1_000 }).catch(() => {}));
    const lines: string[][] = [];
    while (lines.flat().length < 5) lines.push((await next())?.requests.map((request) => request.path) ?? []);
    assert.deepEqual(lines, [['/burst/1'], ['/burst/2', '/burst/3', '/burst/4', '/burst/5']]);
  });

  it('ends when a newer poll takes its member over, and the newer one gets the next request', async (t) => {
    const { hub, connect, open } = setup(t);
    const a = await connect();
    const first = await open(a);
    const second = await open(a);
    assert.equal(await first.next(), null);
    const call = hub.fetch(a.id, '/after');
    assert.equal((await second.next())?.requests[0]?.path, '/after');
    call.catch(() => {});
  });

  it('lists a member refused in answers sent with hold: false, and takes the others', async (t) => {
    const { app, connect, poll } = setup(t);
    const a = await connect();
    const b = await connect();
    const taken = await app(
      poll([a, { id: b.id, secret: 'wrong' }], { hold: false, clients: [{ id: a.id }, { id: b.id }] }, false),
    );
    assert.equal(taken.status, 200);
    const reply = (await taken.json()) as SharedPollReply;
    assert.deepEqual(reply.requests, []);
    assert.deepEqual(
      reply.refused.map((refusal) => [refusal.client, refusal.status]),
      [[b.id, 403]],
    );
  });

  it('answers as before (JSON, once) a poll that does not ask for a stream', async (t) => {
    const { hub, app, connect, poll } = setup(t);
    const a = await connect();
    const pending = app(poll([a], { clients: [{ id: a.id }] }, false));
    const call = hub.fetch(a.id, '/plain');
    const response = await pending;
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.equal(((await response.json()) as SharedPollReply).requests[0]?.path, '/plain');
    call.catch(() => {});
  });

  it('goes out through node:http a line at a time, the response still open', async (t) => {
    const { hub, app, connect, poll } = setup(t);
    const server = createServer(toNodeListener(app));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => {
      server.closeAllConnections();
      server.close();
    });
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const a = await connect();
    const response = await fetch(poll([a], { clients: [{ id: a.id }] }, true, origin));
    assert.equal(response.headers.get('content-type'), 'application/x-ndjson');
    assert.equal(response.headers.get('transfer-encoding'), 'chunked');
    assert.equal(response.headers.get(HELLO_HEADER), '1');
    assert.ok(response.body);
    const next = await lineReader(response.body);
    // The second request is made only once the first line came: nothing waits for the end.
    for (const path of ['/first', '/second']) {
      hub.fetch(a.id, path, { timeoutMs: 1_000 }).catch(() => {});
      assert.deepEqual(
        (await next())?.requests.map((request) => request.path),
        [path],
      );
    }
  });

  for (const wrapped of [false, true])
    it(`counts its lines' time from the poll's head, so a slow upload of its body is in every at (${wrapped ? 'a fetch-shaped handler around the app' : 'the app itself'})`, async (t) => {
      const { app, connect } = setup(t);
      // A handler of one's own around ptth's gets a Request, not ptth's light one.
      const server = createServer(toNodeListener(wrapped ? (request: Request) => app(request) : app));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      t.after(() => {
        server.closeAllConnections();
        server.close();
      });
      const a = await connect();
      const body = JSON.stringify({ clients: [{ id: a.id }] });
      const socket = connectSocket((server.address() as AddressInfo).port, '127.0.0.1');
      t.after(() => socket.destroy());
      socket.write(
        'POST /ptth/poll HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/json\r\n' +
          `Accept: application/x-ndjson\r\nPtth-Secret: ${a.id}=${a.secret}\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      // The body comes 300 ms after the head, as a slow upload's would.
      await new Promise((resolve) => setTimeout(resolve, 300));
      socket.write(body);
      let received = '';
      const hello = await new Promise<SharedPollReply>((resolve) => {
        socket.on('data', (chunk: Buffer) => {
          received += chunk.toString();
          const line = /\r\n\r\n[0-9a-f]+\r\n(\{.*\})\n/.exec(received)?.[1];
          if (line) resolve(JSON.parse(line) as SharedPollReply);
        });
      });
      assert.deepEqual(hello.requests, []);
      assert.ok((hello.at ?? 0) >= 250, `at ${hello.at}`);
    });
});
