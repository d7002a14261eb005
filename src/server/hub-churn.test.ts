import assert from 'node:assert/strict';
import { it } from 'node:test';
import { REVERSE_ORIGIN } from '../protocol/fetch-convert.ts';
import type { ReverseRequest } from '../protocol/message.ts';
import { Hub } from './hub.ts';
import { MemoryStore } from './hub-store.ts';

it('nothing grows under churn: clients that come, are asked, answer or vanish, leave nothing behind', async () => {
  const store = new MemoryStore();
  const hub = new Hub({ store, expireMs: 60_000, requestTimeoutMs: 50, holdMs: 1_000 });
  const calls: Promise<Response>[] = [];
  for (let round = 0; round < 20; round++) {
    const sessions = await Promise.all(Array.from({ length: 100 }, () => hub.register({ url: 'http://page.test/' })));
    for (const [n, session] of sessions.entries()) {
      calls.push(hub.fetch(session.id, new Request(`${REVERSE_ORIGIN}/round/${round}`)));
      // A third answer, a third never answer (504), a third leave before answering (503).
      const batch = await new Promise<ReverseRequest[]>((resolve) => {
        void hub.attachPoll(session, {
          deliver: (requests) => {
            resolve(requests);
            return true;
          },
        });
      });
      if (n % 3 === 0) {
        await hub.receive(
          session,
          batch.map((request) => ({ id: request.id, status: 204, statusText: '', headers: [], body: null })),
        );
      }
      if (n % 3 === 2) await hub.expire(session.id, 'left');
    }
    for (const session of sessions) await hub.expire(session.id, 'round over');
  }
  const statuses = await Promise.all(calls.map(async (call) => (await call).status));
  assert.equal(statuses.length, 2_000);
  assert.deepEqual(new Set(statuses), new Set([204, 503]));
  assert.deepEqual(hub.stats().clients, 0);
  assert.equal(hub.stats().pendingCalls, 0);
  assert.equal(store.countClients(), 0);
  assert.deepEqual(store.listClients(), []);
  assert.deepEqual(hub.clients(), []);
  hub.close();
});
