import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { utf8 } from '../protocol/bytes.ts';
import { REVERSE_ORIGIN } from '../protocol/fetch-convert.ts';
import { MAX_SHARED_CLIENTS, type SharedPollBody } from '../protocol/long-poll-wire.ts';
import type { ReverseRequest, ReverseResponse } from '../protocol/message.ts';
import { devApp } from '../server/dev-server.ts';
import { Hub } from '../server/hub.ts';
import type { HubOptions } from '../server/hub-types.ts';
import { type FetchHandler, toNodeListener } from '../server/node-adapter.ts';
import type { LongPollOptions } from './connection-types.ts';
import { localLocks } from './locks.ts';
import { Connection, type ConnectionState, type RequestRecord } from './long-poll.ts';
import { SERVE_MESSAGE } from './serve-request.ts';
import { type TabGroup, tabGroup } from './tab-group.ts';

/** A hub behind a real loopback server; `fault` may answer a request instead of the hub. */
async function serve(
  fault: (request: Request) => Promise<Response | null> | null = () => null,
  options: Partial<HubOptions> = {},
) {
  const hub = new Hub({ holdMs: 5_000, expireMs: 60_000, ...options });
  const app = devApp(hub);
  const handler: FetchHandler = async (request) => (await fault(request)) ?? app(request);
  const server = createServer(toNodeListener(handler));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ptth`;
  const close = () => {
    hub.close();
    server.closeAllConnections();
    server.close();
  };
  return { hub, endpoint, close };
}

function waitFor<T>(get: () => T | undefined, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const check = () => {
      const value = get();
      if (value !== undefined) resolve(value);
      else if (Date.now() > deadline) reject(new Error('timed out waiting'));
      else setTimeout(check, 5);
    };
    check();
  });
}

const echo = async (request: Request) => new Response(`${request.method} ${new URL(request.url).pathname}`);

/**
 * An echo that serves reverse requests as they are (as the DOM handler does) and answers at
 * once, with no promise, but for `/slow`, which waits for `slow`; `served` lists the paths in
 * the order they ran, each with whether it ran in the same task as the previous one.
 */
function messageEcho(slow: Promise<void> = Promise.resolve()) {
  const served: { path: string; sameTask: boolean }[] = [];
  let inTask = false;
  const answer = ({ id, method, path }: ReverseRequest): ReverseResponse => ({
    id,
    status: 200,
    statusText: '',
    headers: [['content-type', 'text/plain']],
    body: utf8(`${method} ${path}`),
  });
  // A handler of its own: `echo`, which other tests use as it is, is left alone.
  const handler = Object.assign((request: Request) => echo(request), {
    [SERVE_MESSAGE]: (message: ReverseRequest) => {
      served.push({ path: message.path, sameTask: inTask });
      inTask = true;
      setImmediate(() => {
        inTask = false;
      });
      return message.path === '/slow' ? slow.then(() => answer(message)) : answer(message);
    },
  });
  return { handler, served };
}

/** How a connection that polls for itself alone uploads its answers, per wire. */
interface Mode {
  name: string;
  options: Partial<LongPollOptions>;
  /** How many answers a request to the hub carries (0 for none, or not a poll). */
  answersIn(request: Request): Promise<number>;
  /** The reason its `error` event gives when an upload is answered 503. */
  failed503: RegExp;
}

const MODES: Mode[] = [
  {
    name: 'JSON wire: a group of its own',
    options: {},
    async answersIn(request) {
      if (!request.url.endsWith('/poll') || request.method !== 'POST') return 0;
      const body = JSON.parse(await request.clone().text()) as SharedPollBody;
      return body.clients.reduce((count, client) => count + (client.responses?.length ?? 0), 0);
    },
    failed503: /shared poll answered 503/,
  },
  {
    name: 'JSON wire, stream: false: a group of its own',
    options: { stream: false },
    async answersIn(request) {
      return MODES[0]?.answersIn(request) ?? 0;
    },
    failed503: /shared poll answered 503/,
  },
  {
    name: 'message/http wire: a poll of its own',
    options: { wire: 'http' },
    async answersIn(request) {
      if (!request.url.includes('/poll/') || request.method !== 'POST') return 0;
      return (await request.clone().text()).split('HTTP/1.1 ').length - 1;
    },
    failed503: /^poll failed/,
  },
];

/** A hub (closed after the test) that notes how many answers each upload of `mode` carried, in `uploads`. */
async function serveCountingUploads(t: TestContext, mode: Mode) {
  const uploads: number[] = [];
  const { hub, endpoint, close } = await serve(async (request) => {
    const sent = await mode.answersIn(request);
    if (sent > 0) uploads.push(sent);
    return null;
  });
  t.after(close);
  return { hub, endpoint, uploads };
}

/** Opens a connection with `options` (closed after the test) and has `hub` make three requests on it at once, answered by an echo. */
async function threeAtOnce(t: TestContext, hub: Hub, options: LongPollOptions): Promise<void> {
  const connection = new Connection(options);
  t.after(() => connection.close());
  const id = await waitFor(() => (connection.state === 'open' ? connection.id : undefined) ?? undefined);
  const answers = await Promise.all(
    ['/1', '/2', '/3'].map(async (path) => (await hub.fetch(id, new Request(REVERSE_ORIGIN + path))).text()),
  );
  assert.deepEqual(answers, ['GET /1', 'GET /2', 'GET /3']);
}

/** An echoing connection of `mode`, open, closed after the test; the reasons of its errors. */
async function openEcho(
  t: TestContext,
  endpoint: string,
  mode: Mode,
): Promise<{ id: string; errors: string[]; connection: Connection }> {
  const errors: string[] = [];
  const connection = new Connection({ endpoint, handler: echo, minBackoffMs: 10, ...mode.options });
  connection.on('error', ({ reason }) => errors.push(reason));
  t.after(() => connection.close());
  const id = await waitFor(() => (connection.state === 'open' ? connection.id : undefined) ?? undefined);
  return { id, errors, connection };
}

/**
 * A hub that takes a leave (`DELETE`) 100 ms late, as a busy network may deliver it, and a
 * connection to it that was open and is closed just now; its id is in `storage`.
 */
async function closedJustNow(t: TestContext) {
  const { hub, endpoint, close } = await serve(async (request) => {
    if (request.method === 'DELETE') await new Promise((resolve) => setTimeout(resolve, 100));
    return null;
  });
  t.after(close);
  const kept = new Map<string, string>();
  const storage = {
    getItem: (key: string) => kept.get(key) ?? null,
    setItem: (key: string, value: string) => void kept.set(key, value),
    removeItem: (key: string) => void kept.delete(key),
  } as Storage;
  const first = new Connection({ endpoint, handler: echo, storage });
  const id = await waitFor(() => (first.state === 'open' ? first.id : undefined) ?? undefined);
  first.close();
  return { hub, endpoint, storage, id };
}

describe('the long-poll Connection', () => {
  it('connects, serves requests concurrently and goes to closed on close()', async (t) => {
    const { hub, endpoint, close } = await serve();
    t.after(close);
    const states: ConnectionState[] = [];
    const connection = new Connection({ endpoint, handler: echo, url: 'http://page.test/' });
    connection.on('state', (state) => states.push(state));
    const id = await waitFor(() => (connection.state === 'open' ? connection.id : undefined) ?? undefined);
    assert.equal(hub.clients()[0]?.url, 'http://page.test/');
    const answers = await Promise.all(
      ['/a', '/b', '/c'].map(async (path) => (await hub.fetch(id, new Request(REVERSE_ORIGIN + path))).text()),
    );
    assert.deepEqual(answers, ['GET /a', 'GET /b', 'GET /c']);
    connection.close();
    assert.equal(connection.state, 'closed');
    assert.deepEqual(states, ['open', 'closed']);
    await waitFor(() => (hub.clients().length === 0 ? true : undefined));
  });

  it('reports each served request to onRequest and request listeners, and to nobody else; a throwing hook loses no answer', async (t) => {
    const { hub, endpoint, close } = await serve();
    t.after(close);
    const hooked: RequestRecord[] = [];
    const connection = new Connection({
      endpoint,
      handler: echo,
      onRequest: (record) => {
        hooked.push(record);
        if (record.path === '/throws') throw new Error('a hook that throws');
      },
    });
    t.after(() => connection.close());
    const id = await waitFor(() => (connection.state === 'open' ? connection.id : undefined) ?? undefined);
    const heard: RequestRecord[] = [];
    const stop = connection.on('request', (record) => heard.push(record));
    // As in a browser: a hook's error goes to reportError (Node 20 has none).
    const reported: unknown[] = [];
    const before = globalThis.reportError;
    globalThis.reportError = (error: unknown) => reported.push(error);
    t.after(() => {
      globalThis.reportError = before;
    });
    assert.equal(await (await hub.fetch(id, '/one')).text(), 'GET /one');
    assert.equal(await (await hub.fetch(id, '/throws')).text(), 'GET /throws');
    stop();
    assert.equal(await (await hub.fetch(id, '/two')).text(), 'GET /two');
    assert.deepEqual(
      hooked.map((record) => record.path),
      ['/one', '/throws', '/two'],
    );
    assert.deepEqual(
      heard.map((record) => record.path),
      ['/one', '/throws'],
    );
    assert.equal(heard[0], hooked[0]);
    const [record] = hooked;
    assert.ok(record && record.status === 200 && record.ms >= 0 && Math.abs(record.at - Date.now()) < 10_000);
    assert.equal(reported.length, 1);
    assert.match(String(reported[0]), /a hook that throws/);
  });

  it('connects again, with a new id, when the hub forgets it', async (t) => {
    const { hub, endpoint, close } = await serve();
    t.after(close);
    const connection = new Connection({ endpoint, handler: echo, minBackoffMs: 10 });
    t.after(() => connection.close());
    const first = await waitFor(() => (connection.state === 'open' ? connection.id : undefined) ?? undefined);
    hub.expire(first, 'test');
    const second = await waitFor(() => (connection.id && connection.id !== first ? connection.id : undefined));
    assert.deepEqual(
      hub.clients().map((client) => client.id),
      [second],
    );
    assert.equal(await (await hub.fetch(second, new Request(`${REVERSE_ORIGIN}/x`))).text(), 'GET /x');
  });

  it('keeps retrying with backoff while the hub is unreachable', async () => {
    const errors: string[] = [];
    const connection = new Connection({
      endpoint: 'http://127.0.0.1:9/ptth',
      handler: echo,
      minBackoffMs: 5,
      maxBackoffMs: 20,
    });
    connection.on('error', ({ reason }) => errors.push(reason));
    await waitFor(() => (errors.length >= 3 ? true : undefined));
    assert.ok(['backoff', 'connecting'].includes(connection.state));
    connection.close();
    assert.equal(connection.state, 'closed');
  });

  it('polls alone on a streamed poll of its own where it does not share one (shared: false, or no Web Locks)', async (t) => {
    const streamedFor = new Set<string>();
    const { hub, endpoint, close } = await serve((request) => {
      if (request.url.endsWith('/poll') && request.headers.get('accept')?.includes('application/x-ndjson'))
        streamedFor.add(
          (request.headers.get('ptth-secret') ?? '')
            .split(', ')
            .map((member) => member.split('=')[0])
            .join(', '),
        );
      return null;
    });
    t.after(close);
    // Node has no Web Locks; the second says so as a page would.
    const first = new Connection({ endpoint, handler: echo, storage: null });
    const second = new Connection({ endpoint, handler: echo, storage: null, shared: false });
    t.after(() => first.close());
    t.after(() => second.close());
    for (const connection of [first, second]) {
      const id = await waitFor(() => (connection.state === 'open' ? connection.id : undefined) ?? undefined);
      assert.equal(await (await hub.fetch(id, new Request(`${REVERSE_ORIGIN}/alone`))).text(), 'GET /alone');
      assert.ok(streamedFor.has(id), 'its poll was streamed, and carried it alone');
      assert.equal(connection.leader, false);
    }
  });

  // A connection that does not share its poll with other tabs (no Web Locks here, in Node) polls
  // in a group of its own on the JSON wire, and on a poll of its own on the message/http wire.
  for (const mode of MODES) {
    it(`sends answers again after a failed upload, and the caller gets exactly one (${mode.name})`, async (t) => {
      let failures = 0;
      const { hub, endpoint, close } = await serve(async (request) => {
        if ((await mode.answersIn(request)) > 0 && failures === 0) {
          failures++;
          return new Response('down for a moment', { status: 503 });
        }
        return null;
      });
      t.after(close);
      const { id, errors } = await openEcho(t, endpoint, mode);
      const response = await hub.fetch(id, new Request(`${REVERSE_ORIGIN}/retry`));
      assert.equal(await response.text(), 'GET /retry');
      assert.equal(failures, 1);
      assert.equal(errors.length, 1, errors.join('; '));
      assert.match(errors[0] ?? '', mode.failed503);
    });

    it(`after a 429 it waits for Retry-After and sends the same answers again; the caller gets exactly one (${mode.name})`, async (t) => {
      let refusedAt = 0;
      let resentAt = 0;
      const { hub, endpoint, close } = await serve(async (request) => {
        const carriesAnswers = (await mode.answersIn(request)) > 0;
        if (carriesAnswers && refusedAt === 0) {
          refusedAt = Date.now();
          return new Response('{"detail":"slow down"}', { status: 429, headers: { 'retry-after': '1' } });
        }
        if (carriesAnswers && resentAt === 0) resentAt = Date.now();
        return null;
      });
      t.after(close);
      const { id, errors } = await openEcho(t, endpoint, mode);
      const response = await hub.fetch(id, new Request(`${REVERSE_ORIGIN}/limited`), { timeoutMs: 5_000 });
      assert.equal(await response.text(), 'GET /limited');
      assert.ok(resentAt - refusedAt >= 950, `sent again after ${resentAt - refusedAt} ms`);
      assert.equal(errors.length, 1);
      assert.match(errors[0] ?? '', /poll answered 429/);
    });

    it(`wake() during a Retry-After waits for what is left of it (${mode.name})`, async (t) => {
      let refusedAt = 0;
      let resentAt = 0;
      let woken: Connection | undefined;
      const { hub, endpoint, close } = await serve(async (request) => {
        const carriesAnswers = (await mode.answersIn(request)) > 0;
        if (carriesAnswers && refusedAt === 0) {
          refusedAt = Date.now();
          // The page comes back to the foreground (or online) just after the refusal.
          setTimeout(() => woken?.wake(), 50);
          return new Response('{"detail":"slow down"}', { status: 429, headers: { 'retry-after': '1' } });
        }
        if (carriesAnswers && resentAt === 0) resentAt = Date.now();
        return null;
      });
      t.after(close);
      const { id, connection } = await openEcho(t, endpoint, mode);
      woken = connection;
      const response = await hub.fetch(id, new Request(`${REVERSE_ORIGIN}/limited`), { timeoutMs: 5_000 });
      assert.equal(await response.text(), 'GET /limited');
      assert.ok(resentAt - refusedAt >= 950, `sent again after ${resentAt - refusedAt} ms`);
    });

    it(`sends the answers of a batch on one upload as soon as the last is answered, not a task later (${mode.name})`, async (t) => {
      const { hub, endpoint, uploads } = await serveCountingUploads(t, mode);
      // Each answer schedules a marker task; the upload must leave before the marker of the last one.
      let taskSinceAnswer = true;
      const handler = async (request: Request) => {
        const response = await echo(request);
        taskSinceAnswer = false;
        setImmediate(() => {
          taskSinceAnswer = true;
        });
        return response;
      };
      const realFetch = globalThis.fetch;
      const uploadsAfterATask: boolean[] = [];
      globalThis.fetch = async (input, init) => {
        const marked = taskSinceAnswer;
        if ((await mode.answersIn(new Request(input, init))) > 0) uploadsAfterATask.push(marked);
        return realFetch(input, init);
      };
      t.after(() => {
        globalThis.fetch = realFetch;
      });
      await threeAtOnce(t, hub, { endpoint, handler, storage: null, ...mode.options });
      assert.deepEqual(uploads, [3]);
      assert.deepEqual(uploadsAfterATask, [false]);
    });

    it(`answers a handler gives at once, with no promise, leave on one upload (${mode.name})`, async (t) => {
      const { hub, endpoint, uploads } = await serveCountingUploads(t, mode);
      const { handler, served } = messageEcho();
      await threeAtOnce(t, hub, { endpoint, handler, storage: null, ...mode.options });
      assert.deepEqual(
        served.map(({ sameTask }) => sameTask),
        [false, true, true],
        'the three came in one batch',
      );
      assert.deepEqual(uploads, [3]);
    });

    it(`a burst of answers larger than one upload reaches every caller, in several uploads (${mode.name})`, async (t) => {
      // The hub reads an upload of at most 16 bodies' worth: 40 answers of 900 bytes are more.
      const { hub, endpoint, close } = await serve(() => null, { maxBodyBytes: 1_000 });
      t.after(close);
      const slowBig = async () => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        return new Response('x'.repeat(900));
      };
      const connection = new Connection({
        endpoint,
        handler: slowBig,
        storage: null,
        minBackoffMs: 10,
        ...mode.options,
      });
      const errors: string[] = [];
      connection.on('error', ({ reason }) => errors.push(reason));
      t.after(() => connection.close());
      const id = await waitFor(() => (connection.state === 'open' ? connection.id : undefined) ?? undefined);
      const statuses = await Promise.all(
        Array.from({ length: 40 }, async (_, i) => (await hub.fetch(id, `/${i}`, { timeoutMs: 5_000 })).status),
      );
      assert.deepEqual(statuses, Array(40).fill(200), errors.join('; '));
      assert.deepEqual(errors, []);
    });

    it(`answers piled up in a backoff leave in several uploads at once, not one per hold (${mode.name})`, async (t) => {
      let failed = false;
      const { hub, endpoint, close } = await serve(
        async (request) => {
          if (failed || (await mode.answersIn(request)) === 0) return null;
          failed = true;
          return new Response('down for a moment', { status: 503 });
        },
        { maxBodyBytes: 1_000 },
      );
      t.after(close);
      const big = async () => new Response('x'.repeat(900));
      const connection = new Connection({ endpoint, handler: big, storage: null, minBackoffMs: 300, ...mode.options });
      t.after(() => connection.close());
      const id = await waitFor(() => (connection.state === 'open' ? connection.id : undefined) ?? undefined);
      // The first upload fails; the 30 answers wait out the backoff, then need 6 or more uploads.
      const statuses = await Promise.all(
        Array.from({ length: 30 }, async (_, i) => (await hub.fetch(id, `/${i}`, { timeoutMs: 3_000 })).status),
      );
      assert.deepEqual(statuses, Array(30).fill(200));
    });

    for (const maxBodyBytes of [1024 * 1024, Number.POSITIVE_INFINITY])
      if (mode.options.wire !== 'http')
        it(`uploads a proxy refuses as too large (413) go again, smaller, and every answer arrives (${mode.name}, hub limit ${maxBodyBytes})`, async (t) => {
          let refusals = 0;
          const { hub, endpoint, close } = await serve(
            async (request) => {
              if (!request.url.endsWith('/poll') || request.method !== 'POST') return null;
              if ((await request.clone().arrayBuffer()).byteLength <= 3_000) return null;
              refusals++;
              return new Response('too large for this proxy', { status: 413 });
            },
            { maxBodyBytes },
          );
          t.after(close);
          // The hub takes 16 MiB; the proxy in front of it 3 KB: 3 answers of 900 B at most.
          const big = async () => new Response('x'.repeat(900));
          const connection = new Connection({
            endpoint,
            handler: big,
            storage: null,
            minBackoffMs: 10,
            ...mode.options,
          });
          t.after(() => connection.close());
          const id = await waitFor(() => (connection.state === 'open' ? connection.id : undefined) ?? undefined);
          const statuses = await Promise.all(
            Array.from({ length: 20 }, async (_, i) => (await hub.fetch(id, `/${i}`, { timeoutMs: 5_000 })).status),
          );
          assert.deepEqual(statuses, Array(20).fill(200));
          assert.ok(refusals > 0);
        });
  }

  it('close() and a new connection at once keep the id: the leave is not taken after the new connect', async (t) => {
    const { hub, endpoint, storage, id } = await closedJustNow(t);
    const second = new Connection({ endpoint, handler: echo, storage });
    t.after(() => second.close());
    assert.equal(await waitFor(() => (second.state === 'open' ? second.id : undefined) ?? undefined), id);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(second.id, id);
    assert.equal(await (await hub.fetch(id, '/still', { timeoutMs: 3_000 })).text(), 'GET /still');
  });

  it('a connection closed while it waits for an earlier leave does not connect', async (t) => {
    const { hub, endpoint, storage, id } = await closedJustNow(t);
    new Connection({ endpoint, handler: echo, storage }).close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The leave went through, and no connect brought the id back for a connection nobody holds.
    assert.equal(hub.session(id), undefined);
  });

  it('polls alone when its tabs already fill the shared poll, and is served', async (t) => {
    const { hub, endpoint, close } = await serve();
    t.after(close);
    // The origin's tabs, as far as this tab can see: a shared group of MAX_SHARED_CLIENTS members.
    const group = tabGroup(endpoint, { minBackoffMs: 10, maxBackoffMs: 50 }, localLocks()) as TabGroup;
    t.after(() => group.close());
    for (let i = 0; i < MAX_SHARED_CLIENTS; i++) {
      const session = await hub.register({ url: 'http://page.test/', instance: `other-${i}` });
      const card = {
        id: session.id,
        secret: session.secret,
        instance: `other-${i}`,
        ack: 0,
        holdMs: 5_000,
        maxBodyBytes: Number.POSITIVE_INFINITY,
      };
      group.join({ card: () => card, receive() {}, refused() {}, failed() {}, recovered() {}, full() {} });
    }
    const connection = new Connection({ endpoint, handler: echo, storage: null });
    t.after(() => connection.close());
    const id = await waitFor(() => (connection.state === 'open' ? connection.id : undefined) ?? undefined);
    assert.equal(await (await hub.fetch(id, '/alone', { timeoutMs: 5_000 })).text(), 'GET /alone');
    assert.equal(connection.leader, false);
  });

  it('connects again when the hub refuses it while a failed post of answers holds its group back', async (t) => {
    let posts = 0;
    let refuse = '';
    const { hub, endpoint, close } = await serve(async (request) => {
      if (!request.url.endsWith('/poll') || !(await request.clone().text()).includes('"hold":false')) return null;
      posts++;
      // The first post fails; the second, out at the same time, comes back after it: refused.
      if (posts === 1) {
        await new Promise((resolve) => setTimeout(resolve, 30));
        return new Response('down for a moment', { status: 503 });
      }
      if (posts === 2) {
        await new Promise((resolve) => setTimeout(resolve, 90));
        return Response.json({ requests: [], refused: [{ client: refuse, status: 404, detail: 'forgotten' }] });
      }
      return null;
    });
    t.after(close);
    const handler = async (request: Request) => {
      if (new URL(request.url).pathname === '/b') await new Promise((resolve) => setTimeout(resolve, 10));
      return echo(request);
    };
    // The group's backoff after the first post (250–500 ms) outlasts the second's refusal.
    const connection = new Connection({ endpoint, handler, storage: null, minBackoffMs: 500, maxBackoffMs: 1_000 });
    t.after(() => connection.close());
    const first = await waitFor(() => (connection.state === 'open' ? connection.id : undefined) ?? undefined);
    refuse = first;
    // Once the streamed poll is open, each answer goes on a post of its own.
    await new Promise((resolve) => setTimeout(resolve, 50));
    void hub.fetch(first, '/a', { timeoutMs: 1_000 }).catch(() => {});
    void hub.fetch(first, '/b', { timeoutMs: 1_000 }).catch(() => {});
    const second = await waitFor(() => (connection.id && connection.id !== first ? connection.id : undefined));
    assert.ok(posts >= 2, `${posts} posts`);
    const again = await waitFor(() => (connection.state === 'open' ? connection.id : undefined) ?? undefined);
    assert.equal(again, second);
    assert.equal(await (await hub.fetch(second, '/later', { timeoutMs: 5_000 })).text(), 'GET /later');
  });

  it('keeps a Retry-After when another upload fails during it, without one', async (t) => {
    let posts = 0;
    let refusedAt = 0;
    let resentAt = 0;
    const { hub, endpoint, close } = await serve(async (request) => {
      if (!request.url.endsWith('/poll') || request.method !== 'POST') return null;
      const body = JSON.parse(await request.clone().text()) as SharedPollBody;
      const answers = body.clients.reduce((count, client) => count + (client.responses?.length ?? 0), 0);
      if (answers > 0 && refusedAt !== 0 && resentAt === 0) resentAt = Date.now();
      if (body.hold !== false) return null;
      posts++;
      // The first post is refused (429) while the second is out; the second then fails (503).
      if (posts === 1) {
        await new Promise((resolve) => setTimeout(resolve, 30));
        refusedAt = Date.now();
        return new Response('{"detail":"slow down"}', { status: 429, headers: { 'retry-after': '1' } });
      }
      if (posts === 2) {
        await new Promise((resolve) => setTimeout(resolve, 90));
        return new Response('down for a moment', { status: 503 });
      }
      return null;
    });
    t.after(close);
    const handler = async (request: Request) => {
      if (new URL(request.url).pathname === '/b') await new Promise((resolve) => setTimeout(resolve, 10));
      return echo(request);
    };
    const connection = new Connection({ endpoint, handler, storage: null, minBackoffMs: 10, maxBackoffMs: 50 });
    t.after(() => connection.close());
    const id = await waitFor(() => (connection.state === 'open' ? connection.id : undefined) ?? undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const answers = await Promise.all(
      ['/a', '/b'].map(async (path) => (await hub.fetch(id, path, { timeoutMs: 5_000 })).text()),
    );
    assert.deepEqual(answers, ['GET /a', 'GET /b']);
    assert.ok(posts >= 2, `${posts} posts`);
    assert.ok(resentAt - refusedAt >= 950, `sent again after ${resentAt - refusedAt} ms`);
  });

  it('keeps a Retry-After that comes while it backs off from another poll (message/http wire)', async (t) => {
    let slowPollCame: () => void = () => {};
    const slowPoll = new Promise<void>((resolve) => {
      slowPollCame = resolve;
    });
    let refusedAt = 0;
    let resentAt = 0;
    const { hub, endpoint, close } = await serve(async (request) => {
      if (!request.url.includes('/poll/') || request.method !== 'POST') return null;
      const body = await request.clone().text();
      if (body.includes('GET /slow')) {
        if (refusedAt !== 0) {
          if (resentAt === 0) resentAt = Date.now();
          return null;
        }
        // Refused a while after it came; meanwhile the poll with the other answer fails.
        slowPollCame();
        await new Promise((resolve) => setTimeout(resolve, 150));
        refusedAt = Date.now();
        return new Response('{"detail":"slow down"}', { status: 429, headers: { 'retry-after': '1' } });
      }
      if (body.includes('GET /fast') && refusedAt === 0) {
        // Fails just before the 429: the connection is backing off (200-400 ms) when that comes.
        await slowPoll;
        await new Promise((resolve) => setTimeout(resolve, 130));
        return new Response('down for a moment', { status: 503 });
      }
      return null;
    });
    t.after(close);
    const handler = async (request: Request) => {
      if (new URL(request.url).pathname === '/slow') await new Promise((resolve) => setTimeout(resolve, 50));
      return echo(request);
    };
    const connection = new Connection({
      endpoint,
      handler,
      storage: null,
      wire: 'http',
      minBackoffMs: 400,
      maxBackoffMs: 400,
    });
    t.after(() => connection.close());
    const id = await waitFor(() => (connection.state === 'open' ? connection.id : undefined) ?? undefined);
    const answers = await Promise.all(
      ['/fast', '/slow'].map(async (path) => (await hub.fetch(id, path, { timeoutMs: 5_000 })).text()),
    );
    assert.deepEqual(answers, ['GET /fast', 'GET /slow']);
    assert.ok(resentAt - refusedAt >= 950, `sent again after ${resentAt - refusedAt} ms`);
  });

  it('backs off, longer each time, while every poll is refused with a 4xx, and serves again once they pass', async (t) => {
    let refusing = true;
    let refused = 0;
    const { hub, endpoint, close } = await serve(async (request) => {
      if (!refusing || request.method !== 'POST' || !request.url.includes('/poll/')) return null;
      refused++;
      return new Response('Request Header Or Cookie Too Large', { status: 400 });
    });
    t.after(close);
    const connection = new Connection({ endpoint, handler: echo, storage: null, wire: 'http', minBackoffMs: 100 });
    const errors: string[] = [];
    connection.on('error', ({ reason }) => errors.push(reason));
    t.after(() => connection.close());
    const id = await waitFor(() => connection.id ?? undefined);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // Backoff from 100 ms, doubling with jitter: polls near 0, 100, 300 and 700 ms, not a loop.
    const polls = refused;
    assert.ok(polls >= 2 && polls <= 6, `${polls} polls refused in a second`);
    // Each refusal is reported, and the connection waits (a poll may still be on its way back).
    await waitFor(() => (errors.length === refused && connection.state === 'backoff' ? true : undefined));
    refusing = false;
    const answer = await hub.fetch(id, new Request(`${REVERSE_ORIGIN}/after`), { timeoutMs: 5_000 });
    assert.equal(await answer.text(), 'GET /after');
  });

  it('drops an answer whose uploads the hub keeps refusing (a 4xx, three times alone); the answers with it and after it arrive', async (t) => {
    const refused: string[] = [];
    const { hub, endpoint, close } = await serve(async (request) => {
      if (request.method !== 'POST' || !request.url.endsWith('/poll')) return null;
      const body = await request.clone().text();
      if (!body.includes('GET /poison')) return null;
      refused.push(body.includes('GET /innocent') ? 'both' : 'alone');
      return new Response('unreadable', { status: 400 });
    });
    t.after(close);
    const connection = new Connection({ endpoint, handler: echo, storage: null, minBackoffMs: 20, maxBackoffMs: 100 });
    const errors: string[] = [];
    connection.on('error', ({ reason }) => errors.push(reason));
    t.after(() => connection.close());
    const id = await waitFor(() => (connection.state === 'open' ? connection.id : undefined) ?? undefined);
    // Answered in one batch, the two go in one upload, which the hub refuses for the first.
    const poison = hub.fetch(id, new Request(`${REVERSE_ORIGIN}/poison`), { timeoutMs: 4_000 });
    const innocent = hub.fetch(id, new Request(`${REVERSE_ORIGIN}/innocent`), { timeoutMs: 4_000 });
    assert.equal(await (await innocent).text(), 'GET /innocent');
    const after = await hub.fetch(id, new Request(`${REVERSE_ORIGIN}/after`), { timeoutMs: 4_000 });
    assert.equal(await after.text(), 'GET /after');
    await waitFor(() => (errors.some((reason) => /1 responses dropped/.test(reason)) ? true : undefined));
    // Refused with the other, then alone (three times, or more where a later answer rode with it).
    assert.equal(refused[0], 'both');
    assert.ok(refused.filter((upload) => upload === 'alone').length >= 3, refused.join(', '));
    assert.equal(refused.filter((upload) => upload === 'both').length, 1);
    assert.equal((await poison).status, 504, 'the dropped answer never reaches its caller');
  });

  it('a slow request does not hold back the answers a handler gave at once in its batch', async (t) => {
    const { hub, endpoint, close } = await serve();
    t.after(close);
    let release: () => void = () => {};
    const { handler, served } = messageEcho(
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    const connection = new Connection({ endpoint, handler, storage: null });
    t.after(() => connection.close());
    const id = await waitFor(() => (connection.state === 'open' ? connection.id : undefined) ?? undefined);
    const slowAnswer = hub.fetch(id, new Request(`${REVERSE_ORIGIN}/slow`));
    const fastAnswer = hub.fetch(id, new Request(`${REVERSE_ORIGIN}/fast`));
    assert.equal(await (await fastAnswer).text(), 'GET /fast');
    assert.deepEqual(served, [
      { path: '/slow', sameTask: false },
      { path: '/fast', sameTask: true },
    ]);
    release();
    assert.equal(await (await slowAnswer).text(), 'GET /slow');
  });

  it('a slow request does not hold back the answers that are ready: they leave a macrotask later', async (t) => {
    const { hub, endpoint, close } = await serve();
    t.after(close);
    let release: () => void = () => {};
    const slow = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handler = async (request: Request) => {
      if (new URL(request.url).pathname === '/slow') await slow;
      return echo(request);
    };
    const connection = new Connection({ endpoint, handler, storage: null });
    t.after(() => connection.close());
    const id = await waitFor(() => (connection.state === 'open' ? connection.id : undefined) ?? undefined);
    const slowAnswer = hub.fetch(id, new Request(`${REVERSE_ORIGIN}/slow`));
    assert.equal(await (await hub.fetch(id, new Request(`${REVERSE_ORIGIN}/fast`))).text(), 'GET /fast');
    release();
    assert.equal(await (await slowAnswer).text(), 'GET /slow');
  });
});
