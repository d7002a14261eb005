import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REVERSE_ORIGIN } from '../protocol/fetch-convert.ts';
import { HttpError } from '../protocol/http-error.ts';
import type { ReverseRequest, ReverseResponse } from '../protocol/message.ts';
import { delayedStore } from './delayed-store.ts';
import { Hub } from './hub.ts';
import { type HubStore, MemoryStore } from './hub-store.ts';
import type { HubOptions } from './hub-types.ts';

/** A held poll's deliver that hands the batch to `resolve` and accepts it. */
function deliverTo(resolve: (batch: ReverseRequest[]) => void, batch: ReverseRequest[]): true {
  resolve(batch);
  return true;
}

/** The requests of a client waiting in the store's queue (not delivered). */
async function queued(hub: Hub, id: string): Promise<ReverseRequest[]> {
  return (await hub.store.unanswered(id)).filter((entry) => !entry.delivered).map((entry) => entry.request);
}

async function setup(options: HubOptions = {}) {
  const hub = new Hub({ holdMs: 1_000, expireMs: 60_000, ...options });
  const session = await hub.register({ url: 'http://page.test/' });
  /** Attaches a poll and resolves with the batch it gets. */
  const poll = () =>
    new Promise<ReverseRequest[]>((resolve) =>
      hub.attachPoll(session, {
        deliver: (batch) => {
          resolve(batch);
          return true;
        },
      }),
    );
  const answer = (request: ReverseRequest, status = 200, body = 'ok'): ReverseResponse => ({
    id: request.id,
    status,
    statusText: '',
    headers: [['content-type', 'text/plain']],
    body: new TextEncoder().encode(body),
  });
  const get = (path: string) => new Request(REVERSE_ORIGIN + path);
  return { hub, session, poll, answer, get };
}

/** Every test runs against the memory store, and against one that answers a macrotask later. */
const STORES: [string, () => HubStore][] = [
  ['memory store', () => new MemoryStore()],
  ['delayed store', () => delayedStore(new MemoryStore())],
];

for (const [kind, makeStore] of STORES)
  describe(`Hub (${kind})`, () => {
    const setupWith = (options: HubOptions = {}) => setup({ store: makeStore(), ...options });

    it('delivers a request to the held poll and resolves the caller with the response', async (t) => {
      const { hub, session, poll, answer, get } = await setupWith();
      t.after(() => hub.close());
      const batch = poll();
      const response = hub.fetch(session.id, get('/html?x=1'));
      const [request] = await batch;
      assert.ok(request);
      assert.equal(request.method, 'GET');
      assert.equal(request.path, '/html');
      assert.equal(request.query, 'x=1');
      hub.receive(session, [answer(request, 201, 'made')]);
      const result = await response;
      assert.equal(result.status, 201);
      assert.equal(await result.text(), 'made');
    });

    it('queues requests while no poll is held and sends them together on the next poll', async (t) => {
      const { hub, session, poll, get } = await setupWith();
      t.after(() => hub.close());
      void hub.fetch(session.id, get('/a'));
      void hub.fetch(session.id, get('/b'));
      await new Promise((resolve) => setImmediate(resolve));
      const batch = await poll();
      assert.deepEqual(
        batch.map((request) => request.path),
        ['/a', '/b'],
      );
    });

    it('queues requests in the order of the calls, whatever their bodies', async (t) => {
      const { hub, session, poll } = await setupWith();
      t.after(() => hub.close());
      const slowBody = new ReadableStream({
        async start(controller) {
          await new Promise((resolve) => setTimeout(resolve, 30));
          controller.enqueue(new TextEncoder().encode('late'));
          controller.close();
        },
      });
      void hub.fetch(
        session.id,
        new Request(`${REVERSE_ORIGIN}/first`, { method: 'PUT', body: slowBody, duplex: 'half' } as RequestInit),
      );
      void hub.fetch(session.id, new Request(`${REVERSE_ORIGIN}/second`));
      // A path with no Request made for it waits its turn too.
      void hub.fetch(session.id, '/third');
      await new Promise((resolve) => setTimeout(resolve, 60));
      assert.deepEqual(
        (await poll()).map((request) => request.path),
        ['/first', '/second', '/third'],
      );
    });

    it('takes what fetch takes: a path or URL with method, headers and body, plus signal and timeoutMs', async (t) => {
      const { hub, session, poll, answer } = await setupWith();
      t.after(() => hub.close());
      let batch = poll();
      const got = hub.fetch(session.id, "//h1[@id='a b']?x=1", { headers: { Accept: 'text/html' } });
      let [request] = await batch;
      assert.ok(request);
      assert.deepEqual([request.method, request.path, request.query], ['GET', "//h1[@id='a%20b']", 'x=1']);
      assert.deepEqual(request.headers, [['accept', 'text/html']]);
      hub.receive(session, [answer(request, 200, 'h1')]);
      assert.equal(await (await got).text(), 'h1');

      batch = poll();
      const put = hub.fetch(session.id, new URL(`${REVERSE_ORIGIN}/html/body`), {
        method: 'PUT',
        headers: { 'content-type': 'text/html' },
        body: '<body>new</body>',
      });
      [request] = await batch;
      assert.ok(request);
      assert.deepEqual([request.method, request.path], ['PUT', '/html/body']);
      assert.deepEqual(request.headers, [['content-type', 'text/html']]);
      assert.equal(new TextDecoder().decode(request.body ?? new Uint8Array()), '<body>new</body>');
      hub.receive(session, [answer(request, 204, '')]);
      assert.equal((await put).status, 204);

      const controller = new AbortController();
      const aborted = hub.fetch(session.id, '/never', { signal: controller.signal });
      controller.abort(new Error('gave up'));
      await assert.rejects(aborted, /gave up/);
      const late = await hub.fetch(session.id, '/slow', { timeoutMs: 20 });
      assert.equal(late.status, 504);
      await assert.rejects(hub.fetch(session.id, '/x', { method: 'GET', body: 'no' }), TypeError);
    });

    it('numbers deliveries 1, 2, 3 and keeps the number on redelivery after a retry', async (t) => {
      const { hub, session, poll, get } = await setupWith();
      t.after(() => hub.close());
      void hub.fetch(session.id, get('/a'));
      void hub.fetch(session.id, get('/b'));
      await new Promise((resolve) => setImmediate(resolve));
      const first = await poll();
      assert.deepEqual(
        first.map((request) => request.seq),
        [1, 2],
      );
      void hub.fetch(session.id, get('/c'));
      await new Promise((resolve) => setImmediate(resolve));
      // The client got only /a (ack 1) and says its last poll failed: /b comes again, before /c.
      const again = await new Promise<ReverseRequest[]>((resolve) =>
        hub.attachPoll(session, { deliver: (batch) => deliverTo(resolve, batch) }, { ack: 1, retry: true }),
      );
      assert.deepEqual(
        again.map((request) => [request.path, request.seq]),
        [
          ['/b', 2],
          ['/c', 3],
        ],
      );
    });

    it('gives a poll sent twice under one name, on its second copy, what the first copy was handed', async (t) => {
      const { hub, session, get, answer } = await setupWith();
      t.after(() => hub.close());
      const named = (name: string) =>
        new Promise<ReverseRequest[]>((resolve) =>
          hub.attachPoll(session, { name, deliver: (batch) => deliverTo(resolve, batch) }, { ack: 0 }),
        );
      // The hub answers the first copy, but its connection was dying: the page never reads it and,
      // no poll of its own having failed, sends no retry. The browser sends the copy again.
      const first = named('p.1');
      const response = hub.fetch(session.id, get('/a'));
      assert.deepEqual(
        (await first).map((request) => request.path),
        ['/a'],
      );
      const second = await named('p.1');
      assert.deepEqual(
        second.map((request) => [request.path, request.seq]),
        [['/a', 1]],
      );
      const [request] = second;
      assert.ok(request);
      hub.receive(session, [answer(request, 200, 'at last')]);
      assert.equal(await (await response).text(), 'at last');
    });

    it('does not deliver again without retry, nor what the ack covers, nor a request whose caller gave up', async (t) => {
      const { hub, session, poll, get } = await setupWith();
      t.after(() => hub.close());
      const controller = new AbortController();
      void hub.fetch(session.id, get('/kept'));
      hub.fetch(session.id, get('/abandoned'), { signal: controller.signal }).catch(() => undefined);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal((await poll()).length, 2);
      controller.abort();
      const held = new Promise<ReverseRequest[]>((resolve) =>
        hub.attachPoll(session, { deliver: (batch) => deliverTo(resolve, batch) }, { ack: 0, retry: false }),
      );
      void hub.fetch(session.id, get('/new'));
      assert.deepEqual(
        (await held).map((request) => request.path),
        ['/new'],
      );
      const retried = new Promise<ReverseRequest[]>((resolve) =>
        hub.attachPoll(session, { deliver: (batch) => deliverTo(resolve, batch) }, { ack: 0, retry: true }),
      );
      assert.deepEqual(
        (await retried).map((request) => request.path),
        ['/kept', '/new'],
      );
      const acked = new Promise<ReverseRequest[]>((resolve) =>
        hub.attachPoll(session, { deliver: (batch) => deliverTo(resolve, batch) }, { ack: 3, retry: true }),
      );
      void hub.fetch(session.id, get('/last'));
      assert.deepEqual(
        (await acked).map((request) => request.path),
        ['/last'],
      );
    });

    it('answers a superseded poll with an empty batch', async (t) => {
      const { hub, poll } = await setupWith();
      t.after(() => hub.close());
      const first = poll();
      void poll();
      assert.deepEqual(await first, []);
    });

    it('answers a held poll with an empty batch when the hold runs out', async (t) => {
      const { hub, poll } = await setupWith({ holdMs: 30 });
      t.after(() => hub.close());
      assert.deepEqual(await poll(), []);
    });

    it('drops duplicate and unknown responses', async (t) => {
      const { hub, session, poll, answer, get } = await setupWith();
      t.after(() => hub.close());
      const batch = poll();
      const response = hub.fetch(session.id, get('/a'));
      const [request] = await batch;
      assert.ok(request);
      hub.receive(session, [answer(request, 200, 'first'), answer(request, 500, 'second')]);
      hub.receive(session, [{ ...answer(request), id: 'nobody' }]);
      assert.equal(await (await response).text(), 'first');
      assert.equal(session.pending, 0);
    });

    it('an unknown client is 404 problem JSON', async (t) => {
      const { hub, get } = await setupWith();
      t.after(() => hub.close());
      const response = await hub.fetch('nope', get('/'));
      assert.equal(response.status, 404);
      assert.equal(response.headers.get('content-type'), 'application/problem+json');
    });

    it('a client that does not answer in time gives 504 and an undelivered request is never sent late', async (t) => {
      const { hub, session, poll, get } = await setupWith();
      t.after(() => hub.close());
      const response = await hub.fetch(session.id, get('/late'), { timeoutMs: 20 });
      assert.equal(response.status, 504);
      assert.match((await response.json()).detail, /GET \/late/);
      assert.deepEqual(await queued(hub, session.id), []);
      const batch = poll();
      void hub.fetch(session.id, get('/next'));
      assert.deepEqual(
        (await batch).map((request) => request.path),
        ['/next'],
      );
    });

    it('an aborted call rejects with the reason and is not delivered', async (t) => {
      const { hub, session, poll, get } = await setupWith();
      t.after(() => hub.close());
      const controller = new AbortController();
      const response = hub.fetch(session.id, get('/aborted'), { signal: controller.signal });
      await new Promise((resolve) => setImmediate(resolve));
      controller.abort(new Error('gave up'));
      await assert.rejects(response, /gave up/);
      assert.deepEqual(await queued(hub, session.id), []);
      assert.equal(session.pending, 0);
      const batch = poll();
      void hub.fetch(session.id, get('/next'));
      assert.deepEqual(
        (await batch).map((request) => request.path),
        ['/next'],
      );
    });

    it('a request body over the limit is 413 and is not queued', async (t) => {
      const { hub, session } = await setupWith({ maxBodyBytes: 10 });
      t.after(() => hub.close());
      const response = await hub.fetch(
        session.id,
        new Request(`${REVERSE_ORIGIN}/x`, { method: 'PUT', body: 'x'.repeat(11) }),
      );
      assert.equal(response.status, 413);
      assert.deepEqual(await queued(hub, session.id), []);
    });

    it('a response body over the limit is 502', async (t) => {
      const { hub, session, poll, answer, get } = await setupWith({ maxBodyBytes: 10 });
      t.after(() => hub.close());
      const batch = poll();
      const response = hub.fetch(session.id, get('/big'));
      const [request] = await batch;
      assert.ok(request);
      hub.receive(session, [answer(request, 200, 'y'.repeat(11))]);
      assert.equal((await response).status, 502);
    });

    it('a malformed response (bad status, bad header) is 502', async (t) => {
      const { hub, session, poll, answer, get } = await setupWith();
      t.after(() => hub.close());
      const first = hub.fetch(session.id, get('/1'));
      const second = hub.fetch(session.id, get('/2'));
      await new Promise((resolve) => setImmediate(resolve));
      const [one, two] = await poll();
      assert.ok(one && two);
      hub.receive(session, [answer(one, 101), { ...answer(two), headers: [['bad header', 'x']] }]);
      assert.equal((await first).status, 502);
      assert.equal((await second).status, 502);
    });

    it('a full queue is 503 with Retry-After', async (t) => {
      const { hub, session, get } = await setupWith({ maxQueue: 1 });
      t.after(() => hub.close());
      void hub.fetch(session.id, get('/1'));
      await new Promise((resolve) => setImmediate(resolve));
      const response = await hub.fetch(session.id, get('/2'));
      assert.equal(response.status, 503);
      assert.equal(response.headers.get('retry-after'), '1');
      assert.equal((await response.json()).option, 'maxQueue');
      assert.equal(hub.stats().limited.maxQueue, 1);
    });

    it('a client with no poll for expireMs is gone: listed no more, its callers get 503', async (t) => {
      const { hub, session, get } = await setupWith({ expireMs: 50 });
      t.after(() => hub.close());
      const disconnected = new Promise((resolve) => hub.once('disconnect', resolve));
      const response = await hub.fetch(session.id, get('/x'));
      assert.equal(response.status, 503);
      assert.ok(response.headers.get('retry-after'));
      await disconnected;
      assert.deepEqual(hub.clients(), []);
    });

    it('closing the hub settles every pending call and answers held polls', async () => {
      const { hub, session, poll, get } = await setupWith();
      const held = poll();
      const other = await hub.register({ url: 'http://other.test/' });
      const pending = hub.fetch(other.id, get('/x'));
      await new Promise((resolve) => setImmediate(resolve));
      hub.close();
      assert.deepEqual(await held, []);
      assert.equal((await pending).status, 503);
      const afterClose = await hub.fetch(session.id, get('/'));
      assert.equal(afterClose.status, 503);
      assert.equal(afterClose.headers.get('retry-after'), '5');
    });

    it('a poll attached to a client that is gone is answered at once with an empty batch', async () => {
      const { hub, session, poll } = await setupWith();
      hub.expire(session.id, 'test');
      assert.deepEqual(await poll(), []);
      hub.close();
    });

    it('a batch the held poll could not take stays queued for the next poll', async (t) => {
      const { hub, session, poll, get } = await setupWith();
      t.after(() => hub.close());
      hub.attachPoll(session, { deliver: () => false });
      void hub.fetch(session.id, get('/kept'));
      // The delayed store takes a macrotask per step (enqueue, take, restore).
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      assert.equal((await queued(hub, session.id)).length, 1);
      assert.deepEqual(
        (await poll()).map((request) => request.path),
        ['/kept'],
      );
    });

    it('the 504 says whether the request was delivered', async (t) => {
      const { hub, session, poll, get } = await setupWith();
      t.after(() => hub.close());
      const never = await hub.fetch(session.id, get('/a'), { timeoutMs: 10 });
      assert.match((await never.json()).detail, /never delivered/);
      void poll();
      const unanswered = await hub.fetch(session.id, get('/b'), { timeoutMs: 10 });
      assert.match((await unanswered.json()).detail, /delivered but not answered/);
    });

    it('lists clients with id, transport, connectedAt and url; ids and secrets carry 128 bits', async (t) => {
      const { hub, session } = await setupWith();
      t.after(() => hub.close());
      const [info] = hub.clients();
      assert.ok(info);
      assert.equal(info.id, session.id);
      assert.equal(info.transport, 'long-poll');
      assert.equal(info.url, 'http://page.test/');
      assert.equal(new Date(info.connectedAt).toISOString(), info.connectedAt);
      assert.equal(Buffer.from(session.id, 'base64url').length, 16);
      assert.equal(Buffer.from(session.secret, 'base64url').length, 16);
      assert.notEqual(session.id, session.secret);
    });

    describe('identity on connect', () => {
      const id = 'AAAAAAAAAAAAAAAAAAAAAA';
      const secret = 'BBBBBBBBBBBBBBBBBBBBBB';

      it('keeps an id the hub does not know (after a restart), with its secret', async () => {
        const hub = new Hub({ store: makeStore() });
        const { session, resumed } = await hub.connect({ url: 'http://a/', id, secret, instance: 'one' });
        assert.equal(session.id, id);
        assert.equal(session.secret, secret);
        assert.equal(resumed, true);
        hub.close();
      });

      it('gives a new id when the id is in use by a live page (a duplicated tab) or the secret is wrong', async () => {
        const hub = new Hub({ store: makeStore() });
        const first = (await hub.connect({ url: 'http://a/', id, secret, instance: 'one' })).session;
        await hub.attachPoll(first, { deliver: () => true });
        const twin = await hub.connect({ url: 'http://a/', id, secret, instance: 'two' });
        assert.notEqual(twin.session.id, id);
        assert.equal(twin.resumed, false);
        const guess = await hub.connect({ url: 'http://a/', id, secret: 'CCCCCCCCCCCCCCCCCCCCCC' });
        assert.notEqual(guess.session.id, id);
        hub.close();
      });

      it('resumes an idle id with the right secret (a reload): queued work stays, delivered work gets 503', async () => {
        const hub = new Hub({ store: makeStore() });
        const session = (await hub.connect({ url: 'http://a/', id, secret, instance: 'one' })).session;
        const delivered = hub.fetch(id, new Request(`${REVERSE_ORIGIN}/delivered`));
        await new Promise((resolve) => setImmediate(resolve));
        const poll = { deliver: () => true };
        await hub.attachPoll(session, poll);
        hub.detachPoll(session, poll);
        session.record.idleSince = Date.now() - 1_000;
        const waiting = hub.fetch(id, new Request(`${REVERSE_ORIGIN}/queued`));
        await new Promise((resolve) => setImmediate(resolve));
        const again = await hub.connect({ url: 'http://a/reloaded', id, secret, instance: 'two' });
        assert.equal(again.session, session);
        assert.equal(again.resumed, true);
        assert.equal(session.url, 'http://a/reloaded');
        assert.equal(session.instance, 'two');
        assert.equal((await delivered).status, 503);
        assert.deepEqual(
          (await queued(hub, id)).map((request) => request.path),
          ['/queued'],
        );
        hub.close();
        assert.equal((await waiting).status, 503);
      });

      it('ignores ids and secrets that are not 128-bit tokens', async () => {
        const hub = new Hub({ store: makeStore() });
        const { session } = await hub.connect({ url: 'http://a/', id: 'short', secret: 'x' });
        assert.notEqual(session.id, 'short');
        await assert.rejects(hub.register({ url: 'http://a/', id: session.id }), /already registered/);
        hub.close();
      });
    });

    describe('limits', () => {
      it('refuses clients past maxClients (503) and maxClientsPerAddress (429), with Retry-After and a refused event', async () => {
        const hub = new Hub({ maxClients: 3, maxClientsPerAddress: 2, store: makeStore() });
        const refused: string[] = [];
        hub.on('refused', (address, reason) => refused.push(`${address}: ${reason}`));
        await hub.register({ url: 'http://a/', address: '10.0.0.1' });
        await hub.register({ url: 'http://a/', address: '10.0.0.1' });
        await assert.rejects(
          hub.register({ url: 'http://a/', address: '10.0.0.1' }),
          (error) => error instanceof HttpError && error.status === 429,
        );
        const third = await hub.register({ url: 'http://a/', address: '10.0.0.2' });
        await assert.rejects(
          hub.register({ url: 'http://a/', address: '10.0.0.3' }),
          (error) => error instanceof HttpError && error.status === 503,
        );
        assert.equal(refused.length, 2);
        assert.equal(hub.stats().refusedConnects, 2);
        await hub.expire(third.id, 'test');
        await hub.register({ url: 'http://a/', address: '10.0.0.3' });
        assert.equal(hub.stats().clients, 3);
        hub.close();
      });

      it('counts a late duplicate of its own answer as dropped, and an answer to a request never sent as rejected', async (t) => {
        const { hub, session, poll, answer, get } = await setupWith();
        t.after(() => hub.close());
        const rejected: string[] = [];
        hub.on('rejected', (id, detail) => rejected.push(`${id}: ${detail}`));
        const batch = poll();
        const response = hub.fetch(session.id, get('/a'));
        const [request] = await batch;
        assert.ok(request);
        await hub.receive(session, [answer(request)]);
        await response;
        await hub.receive(session, [answer(request)]);
        assert.deepEqual(hub.stats(), {
          clients: 1,
          refusedConnects: 0,
          droppedResponses: 1,
          rejectedResponses: 0,
          limited: {},
          pendingCalls: 0,
        });
        hub.receive(session, [{ ...answer(request), id: 'someone-else' }]);
        assert.equal(hub.stats().droppedResponses, 1);
        assert.equal(hub.stats().rejectedResponses, 1);
        assert.deepEqual(rejected, [
          `${session.id}: Client "${session.id}" answered requests it was never sent: "someone-else"`,
        ]);
      });

      it("a client answering another client's in-flight request settles nothing: the owner's caller gets the owner's answer", async (t) => {
        const { hub, session: a, poll, answer, get } = await setupWith();
        t.after(() => hub.close());
        const b = await hub.register({ url: 'http://b.test/' });
        const batch = poll();
        const call = hub.fetch(a.id, get('/secret'));
        const [request] = await batch;
        assert.ok(request);
        hub.receive(b, [answer(request, 200, 'forged by B')]);
        assert.equal(a.pending, 1, "A's call still waits");
        assert.equal(hub.stats().rejectedResponses, 1);
        hub.receive(a, [answer(request, 200, 'the real answer')]);
        assert.equal(await (await call).text(), 'the real answer');
        assert.equal(hub.stats().rejectedResponses, 1);
        assert.equal(hub.stats().droppedResponses, 0);
      });

      it('an answer to a request that timed out or was aborted after delivery is a late duplicate, not a foreign one', async (t) => {
        const { hub, session, poll, answer, get } = await setupWith({ requestTimeoutMs: 20 });
        t.after(() => hub.close());
        const batch = poll();
        const timedOut = hub.fetch(session.id, get('/slow'));
        const [request] = await batch;
        assert.ok(request);
        assert.equal((await timedOut).status, 504);
        await new Promise((resolve) => setImmediate(resolve));
        await hub.receive(session, [answer(request)]);
        assert.deepEqual([hub.stats().droppedResponses, hub.stats().rejectedResponses], [1, 0]);
      });

      it('refuses a request with too many header fields or header bytes (431) and counts it by option', async (t) => {
        const { hub, session } = await setupWith({ maxHeaders: 5, maxHeaderBytes: 200 });
        t.after(() => hub.close());
        const many = new Headers(Array.from({ length: 6 }, (_, i): [string, string] => [`x-h${i}`, 'v']));
        const tooMany = await hub.fetch(session.id, new Request(`${REVERSE_ORIGIN}/a`, { headers: many }));
        assert.equal(tooMany.status, 431);
        const problem = await tooMany.json();
        assert.match(
          problem.detail,
          /The request to client ".+" has 6 header fields, over the limit of 5 \(maxHeaders\)/,
        );
        assert.equal(problem.option, 'maxHeaders');
        const big = await hub.fetch(
          session.id,
          new Request(`${REVERSE_ORIGIN}/a`, { headers: { 'x-big': 'x'.repeat(300) } }),
        );
        assert.equal(big.status, 431);
        assert.match((await big.json()).detail, /bytes of header fields, over the limit of 200 \(maxHeaderBytes\)/);
        assert.deepEqual(hub.stats().limited, { maxHeaders: 1, maxHeaderBytes: 1 });
        assert.deepEqual(await queued(hub, session.id), [], 'nothing was queued');
      });
    });
  });
