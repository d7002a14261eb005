import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { REVERSE_ORIGIN } from '../protocol/fetch-convert.ts';
import { type DevServer, startDevServer } from '../server/dev-server.ts';
import { type ReversePeer, serveReverse } from './serve-reverse.ts';
import { startTestProxy, type TestProxy } from './test-proxy.ts';
import { serveDocument, xmlResource } from './xml-document.ts';

async function waitFor(test: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const fast = { minBackoffMs: 20, maxBackoffMs: 200 };

describe('serveReverse: a Node peer over PTTH', () => {
  let dev: DevServer;
  const peers: ReversePeer[] = [];
  const proxies: TestProxy[] = [];
  const reverseUrl = (base: string) => `${base}ptth/reverse`;
  const track = (peer: ReversePeer) => {
    peers.push(peer);
    return peer;
  };

  before(async () => {
    dev = await startDevServer({ port: 0, hub: { requestTimeoutMs: 5_000, expireMs: 3_000 } });
  });
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((peer) => peer.close()));
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  });
  after(async () => {
    await dev.close();
  });

  it('serves a fetch-shaped handler; the hub lists it as ptth and the gateway reaches it', async () => {
    const peer = track(
      serveReverse({
        url: reverseUrl(dev.url),
        name: 'handler-peer',
        handler: async (request) =>
          new Response(`${request.method} ${new URL(request.url).pathname} ${await request.text()}`, {
            headers: { 'x-peer': 'yes' },
          }),
      }),
    );
    await peer.opened();
    const id = peer.id as string;
    const info = dev.hub.clients().find((client) => client.id === id);
    assert.equal(info?.transport, 'ptth');
    assert.equal(info?.url, 'handler-peer');
    const direct = await dev.hub.fetch(id, new Request(`${REVERSE_ORIGIN}/hello`, { method: 'PUT', body: 'there' }));
    assert.equal(await direct.text(), 'PUT /hello there');
    const viaGateway = await fetch(`${dev.url}ptth/clients/${id}/via/gateway`, { method: 'POST', body: 'curl' });
    assert.equal(viaGateway.status, 200);
    assert.equal(viaGateway.headers.get('x-peer'), 'yes');
    assert.equal(await viaGateway.text(), 'POST /via/gateway curl');
  });

  it('close() tells the hub to forget the peer at once', async () => {
    const peer = serveReverse({ url: reverseUrl(dev.url), handler: () => new Response('') });
    await peer.opened();
    const id = peer.id as string;
    assert.ok(dev.hub.session(id));
    await peer.close();
    assert.equal(peer.state, 'closed');
    await waitFor(() => dev.hub.session(id) === undefined);
  });

  it('serves an existing http.Server unchanged, through Node’s HTTP machinery', async () => {
    const app = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        res.setHeader('content-type', 'text/plain');
        res.write(`${req.method} ${req.url} host=[${req.headers.host}] `);
        res.end(Buffer.concat(chunks));
      });
    });
    const peer = track(serveReverse({ url: reverseUrl(dev.url), server: app }));
    await peer.opened();
    const response = await dev.hub.fetch(
      peer.id as string,
      new Request(`${REVERSE_ORIGIN}/items?x=1`, { method: 'POST', body: 'data' }),
    );
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain');
    assert.equal(await response.text(), 'POST /items?x=1 host=[] data');
  });

  it('serves a request listener, and HEAD and 204 answers keep their framing', async () => {
    const peer = track(
      serveReverse({
        url: reverseUrl(dev.url),
        listener: (req, res) => {
          if (req.url === '/empty') {
            res.writeHead(204);
            res.end();
            return;
          }
          res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5' });
          res.end(req.method === 'HEAD' ? undefined : 'hello');
        },
      }),
    );
    await peer.opened();
    const id = peer.id as string;
    const [head, empty, get] = await Promise.all(
      [
        ['HEAD', '/x'],
        ['GET', '/empty'],
        ['GET', '/x'],
      ].map(([method, path]) => dev.hub.fetch(id, new Request(REVERSE_ORIGIN + path, { method }))),
    );
    assert.equal(head?.headers.get('content-length'), '5');
    assert.equal(await head?.text(), '');
    assert.equal(empty?.status, 204);
    assert.equal(await get?.text(), 'hello');
  });

  it('holds several turned sockets and serves requests on them at once', async () => {
    let running = 0;
    let most = 0;
    const peer = track(
      serveReverse({
        url: reverseUrl(dev.url),
        connections: 3,
        handler: async () => {
          most = Math.max(most, ++running);
          await new Promise((resolve) => setTimeout(resolve, 40));
          running--;
          return new Response('done');
        },
      }),
    );
    await peer.opened();
    await waitFor(() => peer.sockets === 3);
    assert.equal(dev.hub.clients().filter((client) => client.id === peer.id).length, 1, 'one client, three sockets');
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => dev.hub.fetch(peer.id as string, new Request(`${REVERSE_ORIGIN}/${i}`))),
    );
    assert.deepEqual(new Set(await Promise.all(responses.map((response) => response.text()))), new Set(['done']));
    assert.ok(most >= 3, `at most ${most} requests ran at once`);
  });

  it('a socket killed mid-request: the request is delivered again and still runs once', async () => {
    const proxy = await startTestProxy(dev.url);
    proxies.push(proxy);
    let runs = 0;
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const peer = track(
      serveReverse({
        url: reverseUrl(proxy.url),
        ...fast,
        handler: async (request) => {
          if (new URL(request.url).pathname === '/slow') {
            runs++;
            await released;
          }
          return new Response('answered');
        },
      }),
    );
    await peer.opened();
    const pending = dev.hub.fetch(peer.id as string, new Request(`${REVERSE_ORIGIN}/slow`));
    await waitFor(() => runs === 1);
    proxy.cut();
    await waitFor(() => peer.sockets === 0);
    await waitFor(() => peer.sockets === 1);
    release();
    const response = await pending;
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'answered');
    assert.equal(runs, 1, 'the redelivered request was not run again');
  });

  it('pipelines 200 requests in flight on one socket, in the order of the calls', async () => {
    const peer = track(serveDocument({ url: reverseUrl(dev.url), document: '<list/>' }));
    await peer.opened();
    const id = peer.id as string;
    const headers = { 'content-type': 'application/xml' };
    const posts = Array.from({ length: 200 }, (_, i) =>
      dev.hub.fetch(id, new Request(`${REVERSE_ORIGIN}/list`, { method: 'POST', headers, body: `<i>${i}</i>` })),
    );
    assert.deepEqual(new Set((await Promise.all(posts)).map((response) => response.status)), new Set([201]));
    const all = await (await dev.hub.fetch(id, new Request(`${REVERSE_ORIGIN}/list`))).text();
    assert.equal(all, `<list>${Array.from({ length: 200 }, (_, i) => `<i>${i}</i>`).join('')}</list>`);
  });

  it('200 POSTs while the connection is cut again and again: each runs exactly once', async () => {
    const proxy = await startTestProxy(dev.url);
    proxies.push(proxy);
    const resource = xmlResource({ document: '<list/>' });
    // One at a time and a little slow, so answers trickle back and the cuts land among them.
    let tail: Promise<unknown> = Promise.resolve();
    const handler = (request: Request) => {
      const turn = tail.then(() => new Promise((resolve) => setTimeout(resolve, 2))).then(() => resource(request));
      tail = turn;
      return turn;
    };
    const peer = track(serveReverse({ url: reverseUrl(proxy.url), handler, ...fast }));
    await peer.opened();
    const id = peer.id as string;
    const headers = { 'content-type': 'application/xml' };
    const posts = Array.from({ length: 200 }, (_, i) =>
      dev.hub.fetch(id, new Request(`${REVERSE_ORIGIN}/list`, { method: 'POST', headers, body: `<i>${i}</i>` })),
    );
    let answered = 0;
    for (const post of posts) void post.then(() => answered++);
    // Cut while answers are coming: some requests are on the wire, some answers in flight.
    for (const mark of [20, 60, 100, 140, 180]) {
      await waitFor(() => answered >= mark && proxy.open > 0, 10_000);
      proxy.cut();
    }
    const statuses = (await Promise.all(posts)).map((response) => response.status);
    assert.deepEqual(new Set(statuses), new Set([201]), statuses.join());
    const count = await (await dev.hub.fetch(id, new Request(`${REVERSE_ORIGIN}/count(//i)`))).text();
    assert.equal(count, '200');
  });

  it('falls back to long-polling behind a proxy that strips Upgrade, and still works', async () => {
    const proxy = await startTestProxy(dev.url, { strip: true });
    proxies.push(proxy);
    const transports: string[] = [];
    const peer = track(
      serveReverse({
        url: reverseUrl(proxy.url),
        ...fast,
        listener: (req, res) => res.end(`listener saw ${req.method} ${req.url}`),
      }),
    );
    peer.on('transport', (transport) => transports.push(transport));
    await waitFor(() => peer.transport === 'long-poll' && peer.state === 'open' && peer.id !== undefined);
    assert.deepEqual(transports, ['long-poll']);
    const info = dev.hub.clients().find((client) => client.id === peer.id);
    assert.equal(info?.transport, 'long-poll');
    const response = await dev.hub.fetch(peer.id as string, new Request(`${REVERSE_ORIGIN}/over/poll?q=1`));
    assert.equal(await response.text(), 'listener saw GET /over/poll?q=1');
  });
});

describe('serveReverse across a server restart', () => {
  it('retries a server that is down without piling listeners on its signal', async () => {
    const down = createServer();
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const { port } = down.address() as AddressInfo;
    await new Promise((resolve) => down.close(resolve));
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const peer = serveReverse({
      url: `http://127.0.0.1:${port}/ptth/reverse`,
      minBackoffMs: 1,
      maxBackoffMs: 2,
      handler: () => new Response('unused'),
    });
    let failures = 0;
    peer.on('error', () => failures++);
    try {
      await waitFor(() => failures >= 15);
      // Warnings are emitted on a later tick.
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(
        warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning').map((warning) => warning.message),
        [],
      );
    } finally {
      process.off('warning', onWarning);
      await peer.close();
    }
  });

  it('reconnects to the restarted server and keeps its id', async () => {
    const first = await startDevServer({ port: 0 });
    const port = Number(new URL(first.url).port);
    const peer = serveReverse({ url: `${first.url}ptth/reverse`, ...fast, handler: () => new Response('back') });
    try {
      await peer.opened();
      const id = peer.id as string;
      await first.close();
      await waitFor(() => peer.state === 'backoff');
      const second = await startDevServer({ port });
      try {
        await waitFor(() => second.hub.session(id) !== undefined && peer.state === 'open');
        const response = await second.hub.fetch(id, new Request(`${REVERSE_ORIGIN}/`));
        assert.equal(await response.text(), 'back');
      } finally {
        await peer.close();
        await second.close();
      }
    } finally {
      await peer.close();
    }
  });
});
