import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { gateway } from './gateway.ts';
import { Hub } from './hub.ts';
import { abortOf } from './light-request.ts';
import { toNodeListener } from './node-adapter.ts';
import { Exchange, NodeRequest } from './node-request.ts';

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('a gateway caller that hangs up', () => {
  it('has its reverse request dropped, with no AbortSignal made for it', async () => {
    const hub = new Hub();
    const session = await hub.register({ url: 'http://page.test/' });
    const route = gateway(hub);
    let seen: Request | undefined;
    const server = createServer(
      toNodeListener(async (request) => {
        seen = request;
        return (await route(request)) ?? new Response('not found', { status: 404 });
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const call = httpRequest({ host: '127.0.0.1', port, path: `/ptth/clients/${session.id}/html/body` });
      call.on('error', () => {});
      call.end();
      // Nobody polls: the request waits in the queue until its caller goes.
      await until(() => hub.stats().pendingCalls === 1, 'the call is pending');
      assert.ok(seen instanceof NodeRequest);
      call.destroy();
      await until(() => hub.stats().pendingCalls === 0, 'the call is dropped');
      assert.equal(hub.pendingRequest(`${session.id}.1`), undefined);
      // A poll now finds nothing to run.
      assert.deepEqual(hub.store.take(session.id), []);
    } finally {
      hub.close();
      server.closeAllConnections();
      server.close();
    }
  });

  it('Exchange stands in for a signal: hub.send rejects with its reason once the connection closes', async () => {
    const hub = new Hub();
    const session = await hub.register({ url: 'http://page.test/' });
    const listeners: (() => void)[] = [];
    const res = { writableFinished: false, on: (_: string, listener: () => void) => listeners.push(listener) };
    const exchange = new Exchange(res as never);
    const sent = hub.send(
      session.id,
      { method: 'GET', path: '/html', query: '', headers: [], body: null },
      {
        signal: exchange,
      },
    );
    await until(() => hub.stats().pendingCalls === 1, 'the call is pending');
    for (const listener of listeners) listener.call(res);
    assert.equal(exchange.aborted, true);
    await assert.rejects(sent, /connection closed before the response was sent/);
    assert.equal(hub.stats().pendingCalls, 0);
    // Already closed: a later call is refused at once.
    await assert.rejects(
      hub.send(
        session.id,
        { method: 'GET', path: '/', query: '', headers: [], body: null },
        {
          signal: exchange,
        },
      ),
    );
    assert.equal(abortOf(new Request('http://x.test/')).aborted, false);
    hub.close();
  });
});
