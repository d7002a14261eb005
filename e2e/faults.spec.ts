/** Delivery under faults: nothing lost, nothing doubled. */
import { REVERSE_ORIGIN } from '../src/protocol/fetch-convert.ts';
import { startDevServer } from '../src/server/dev-server.ts';
import { startCuttingProxy } from './cutting-proxy.ts';
import { expect, test } from './fixtures.ts';

for (const shared of [true, false]) {
  const poll = shared ? 'the shared poll' : 'a poll of its own';
  test(`connections cut at random while 1,000 POSTs go through the gateway (${poll}): exactly 1,000 new nodes, all 201`, async ({
    page,
  }) => {
    test.setTimeout(120_000);
    // A delivery test, not a rate test: the gateway's rate limit (100/s, burst 200) is lifted so a
    // fast machine cannot turn it into 429s.
    const server = await startDevServer({
      port: 0,
      hub: { requestTimeoutMs: 60_000, expireMs: 30_000, requestsPerSecond: Number.POSITIVE_INFINITY },
    });
    const proxy = await startCuttingProxy(new URL(server.url), { seed: 7, chunkCut: 0.1, timedCut: 0.5 });
    try {
      // The page talks to the hub through the proxy; the callers talk to the gateway directly.
      await page.route('**/faults.html', (route) =>
        route.fulfill({
          contentType: 'text/html',
          body:
            '<!DOCTYPE html><html><head><script src="/ptth/client.js" data-connect="false"></script></head>' +
            `<body><ul id="list"></ul><script>ptth.connect({ minBackoffMs: 20, maxBackoffMs: 200, shared: ${shared} });</script></body></html>`,
        }),
      );
      await page.goto(`${proxy.url}faults.html`);
      await expect.poll(() => server.hub.clients().length, { timeout: 20_000 }).toBeGreaterThan(0);
      const id = await page.evaluate(async () => {
        const ptth = (window as unknown as { ptth: { connection: { id: string | null; state: string } } }).ptth;
        while (ptth.connection.state !== 'open') await new Promise((resolve) => setTimeout(resolve, 10));
        return ptth.connection.id as string;
      });
      const total = 1_000;
      let next = 0;
      const statuses: number[] = [];
      const worker = async () => {
        for (let n = next++; n < total; n = next++) {
          const response = await fetch(`${server.url}ptth/clients/${id}//ul[@id='list']`, {
            method: 'POST',
            headers: { 'content-type': 'text/html' },
            body: `<li data-n="${n}">${n}</li>`,
          });
          statuses.push(response.status);
          await response.arrayBuffer();
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      proxy.calm();
      expect(proxy.cuts()).toBeGreaterThan(10);
      expect(statuses.filter((status) => status !== 201)).toEqual([]);
      const numbers = await page.evaluate(() =>
        Array.from(document.querySelectorAll('#list li'), (li) => Number(li.getAttribute('data-n'))),
      );
      expect(numbers.length).toBe(total);
      expect(new Set(numbers).size).toBe(total);
    } finally {
      await proxy.close();
      await server.close();
    }
  });
}

test('the server dies with requests queued: their callers get 503 at once, the page comes back, later requests succeed', async ({
  page,
}) => {
  const first = await startDevServer({ port: 0 });
  const port = Number(new URL(first.url).port);
  const id = await (async () => {
    const { openDemo } = await import('./fixtures.ts');
    return openDemo(page, first);
  })();
  // A handler that never answers keeps these calls pending on the dying server.
  await page.evaluate(() => {
    const w = window as unknown as {
      ptth: {
        connection: { close(): void };
        connect(o: object): unknown;
        api: { pageHandler(): (r: Request) => Response };
      };
    };
    w.ptth.connection.close();
    const dom = w.ptth.api.pageHandler();
    w.ptth.connect({
      handler: (request: Request) => (new URL(request.url).pathname === '/hang' ? new Promise(() => {}) : dom(request)),
    });
  });
  await expect.poll(() => first.hub.session(id)?.poll !== null && first.hub.session(id) !== undefined).toBe(true);
  const pending = [1, 2, 3].map(() => first.hub.fetch(id, new Request(`${REVERSE_ORIGIN}/hang`)));
  await first.close();
  const answers = await Promise.all(pending);
  expect(answers.map((response) => response.status)).toEqual([503, 503, 503]);
  const second = await startDevServer({ port });
  try {
    await expect.poll(() => second.hub.session(id) !== undefined, { timeout: 15_000 }).toBe(true);
    const after = await second.hub.fetch(id, new Request(`${REVERSE_ORIGIN}/string(//h1)`));
    expect(await after.text()).toBe('Hello from ptth');
  } finally {
    await second.close();
  }
});

test('a handler that throws answers 500 and the requests around it still flow', async ({ page, server, clientId }) => {
  expect(clientId).toBeTruthy();
  await page.evaluate(() => {
    const w = window as unknown as { ptth: { connection: { close(): void }; connect(o: object): unknown } };
    w.ptth.connection.close();
    w.ptth.connect({
      handler: async (request: Request) => {
        const path = new URL(request.url).pathname;
        if (path === '/throw') throw new Error('the handler broke');
        if (path === '/slow') await new Promise((resolve) => setTimeout(resolve, 300));
        return new Response(`ok ${path}`);
      },
    });
  });
  const id = await page.evaluate(async () => {
    const w = window as unknown as { ptth: { connection: { id: string; state: string } } };
    while (w.ptth.connection.state !== 'open') await new Promise((resolve) => setTimeout(resolve, 10));
    return w.ptth.connection.id;
  });
  const results = await Promise.all(
    ['/a', '/throw', '/slow', '/b', '/throw', '/c'].map(async (path) => {
      const response = await server.hub.fetch(id, new Request(REVERSE_ORIGIN + path));
      return [response.status, await response.text()] as const;
    }),
  );
  expect(results.map(([status]) => status)).toEqual([200, 500, 200, 200, 500, 200]);
  expect(results[1]?.[1]).toContain('the handler broke');
  expect(results[5]?.[1]).toBe('ok /c');
});

test('a frozen page answers once it thaws; nothing is lost or doubled', async ({ page }) => {
  // The hub's default expiry (15 s) outlasts the freeze; the fixture's short one would not.
  const server = await startDevServer({ port: 0 });
  try {
    const { openDemo } = await import('./fixtures.ts');
    const clientId = await openDemo(page, server);
    // The debugger stops the page's JavaScript the way a frozen background tab is stopped.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Debugger.enable');
    await cdp.send('Debugger.pause');
    const during = server.hub.fetch(
      clientId,
      new Request(`${REVERSE_ORIGIN}//ul[@id='todo']`, {
        method: 'POST',
        body: '<li>while frozen</li>',
        headers: { 'content-type': 'text/html' },
      }),
    );
    const early = await Promise.race([
      during.then(() => 'answered'),
      new Promise((resolve) => setTimeout(resolve, 1_500, 'waiting')),
    ]);
    expect(early).toBe('waiting');
    await cdp.send('Debugger.resume');
    expect((await during).status).toBe(201);
    await expect(page.locator('#todo li', { hasText: 'while frozen' })).toHaveCount(1);
  } finally {
    await server.close();
  }
});
