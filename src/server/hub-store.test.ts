import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReverseRequest } from '../protocol/message.ts';
import { delayedStore } from './delayed-store.ts';
import { type ClientRecord, type HubStore, MemoryStore } from './hub-store.ts';

const record = (id: string, address = ''): ClientRecord => ({
  id,
  secret: `secret-${id}`,
  url: 'http://page.test/',
  userAgent: '',
  transport: 'long-poll',
  dom: false,
  connectedAt: new Date(0).toISOString(),
  instance: '',
  address,
  idleSince: 0,
});

const request = (id: string): ReverseRequest => ({
  id,
  method: 'GET',
  path: `/${id}`,
  query: '',
  headers: [],
  body: null,
});

const paths = (batch: ReverseRequest[]) => batch.map(({ path, seq }) => `${path}#${seq}`);

/** The contract every store keeps; run against each store. */
function contract(name: string, makeStore: () => HubStore) {
  describe(`${name}: the HubStore contract`, () => {
    it('keeps client records, and counts them in all and per address', async () => {
      const store = makeStore();
      await store.addClient(record('a', '10.0.0.1'));
      await store.addClient(record('b', '10.0.0.1'));
      await store.updateClient('a', { url: 'http://changed.test/', idleSince: null });
      assert.equal((await store.getClient('a'))?.url, 'http://changed.test/');
      assert.equal((await store.getClient('a'))?.idleSince, null);
      assert.deepEqual(
        (await store.listClients()).map(({ id }) => id),
        ['a', 'b'],
      );
      assert.equal(await store.countClients(), 2);
      assert.equal(await store.countClients('10.0.0.1'), 2);
      await store.removeClient('a');
      assert.equal(await store.getClient('a'), undefined);
      assert.equal(await store.countClients('10.0.0.1'), 1);
    });

    it('numbers first deliveries in order, and a redelivery keeps its number', async () => {
      const store = makeStore();
      await store.addClient(record('a'));
      for (const id of ['r1', 'r2', 'r3']) assert.equal(await store.enqueue('a', request(id), 10), true);
      assert.deepEqual(paths(await store.take('a')), ['/r1#1', '/r2#2', '/r3#3']);
      assert.deepEqual(await store.take('a'), []);
      await store.enqueue('a', request('r4'), 10);
      await store.redeliver('a', 1);
      assert.deepEqual(paths(await store.take('a')), ['/r2#2', '/r3#3', '/r4#4']);
      assert.equal(await store.lastSeq('a'), 4);
    });

    it('hands a poll named again, first, what it was handed before (a copy sent twice), and nothing of other polls', async () => {
      const store = makeStore();
      await store.addClient(record('a'));
      for (const id of ['r1', 'r2']) await store.enqueue('a', request(id), 10);
      assert.deepEqual(paths(await store.take('a', 'p1')), ['/r1#1', '/r2#2']);
      await store.enqueue('a', request('r3'), 10);
      assert.deepEqual(paths(await store.take('a', 'p2')), ['/r3#3']);
      await store.settle('a', 'r2');
      await store.enqueue('a', request('r4'), 10);
      assert.deepEqual(paths(await store.take('a', 'p1')), ['/r1#1', '/r4#4']);
      // Unnamed polls (other transports) never get anything again this way.
      await store.enqueue('a', request('r5'), 10);
      assert.deepEqual(paths(await store.take('a')), ['/r5#5']);
      assert.deepEqual(await store.take('a'), []);
      // A batch given back (its poll was gone) belongs to no poll any more.
      const batch = await store.take('a', 'p1');
      assert.deepEqual(paths(batch), ['/r1#1', '/r4#4']);
      await store.restore('a', batch);
      assert.deepEqual(paths(await store.take('a', 'p3')), ['/r1#1', '/r4#4']);
      assert.deepEqual(await store.take('a', 'p1'), []);
    });

    it('refuses to queue past the limit, and for an unknown client', async () => {
      const store = makeStore();
      await store.addClient(record('a'));
      assert.equal(await store.enqueue('a', request('r1'), 1), true);
      assert.equal(await store.enqueue('a', request('r2'), 1), false);
      assert.equal(await store.enqueue('nobody', request('r3'), 1), false);
    });

    it('puts a batch that was not handed over back in front, undelivered, minus what was settled meanwhile', async () => {
      const store = makeStore();
      await store.addClient(record('a'));
      await store.enqueue('a', request('r1'), 10);
      await store.enqueue('a', request('r2'), 10);
      const batch = await store.take('a');
      await store.enqueue('a', request('r3'), 10);
      await store.settle('a', 'r2');
      await store.restore('a', batch);
      assert.deepEqual(
        (await store.unanswered('a')).map(({ request, delivered }) => `${request.id}:${delivered}`),
        ['r1:false', 'r3:false'],
      );
      assert.deepEqual(paths(await store.take('a')), ['/r1#1', '/r3#3']);
    });

    it('settles a request whether it is queued, queued again or delivered, once', async () => {
      const store = makeStore();
      await store.addClient(record('a'));
      await store.enqueue('a', request('r1'), 10);
      await store.enqueue('a', request('r2'), 10);
      await store.take('a');
      await store.redeliver('a', 0);
      assert.equal((await store.settle('a', 'r1'))?.delivered, true);
      assert.equal(await store.settle('a', 'r1'), undefined);
      assert.deepEqual(paths(await store.take('a')), ['/r2#2']);
      await store.enqueue('a', request('r3'), 10);
      assert.equal((await store.settle('a', 'r3'))?.delivered, false);
      assert.deepEqual(await store.take('a'), []);
    });

    it('hands back every unanswered request when a client is removed', async () => {
      const store = makeStore();
      await store.addClient(record('a'));
      await store.enqueue('a', request('r1'), 10);
      await store.take('a');
      await store.enqueue('a', request('r2'), 10);
      assert.deepEqual(
        (await store.removeClient('a')).map(({ request, delivered }) => `${request.id}:${delivered}`),
        ['r1:true', 'r2:false'],
      );
      assert.deepEqual(await store.unanswered('a'), []);
    });
  });
}

contract('MemoryStore', () => new MemoryStore());
contract('a delayed MemoryStore', () => delayedStore(new MemoryStore()));
