/** A web page on another site cannot drive the user's tabs through the local gateway. */
import { startDevServer } from '../src/server/dev-server.ts';
import { expect, openDemo, test } from './fixtures.ts';

test('a cross-site page cannot use the gateway or the endpoints, even knowing a client id', async ({
  page,
  server,
  clientId,
}) => {
  const evil = await page.context().newPage();
  // Another site: "localhost" is not the same site as "127.0.0.1".
  const evilOrigin = server.url.replace('127.0.0.1', 'localhost');
  await evil.route(`${evilOrigin}evil.html`, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!DOCTYPE html><title>evil</title>' }),
  );
  await evil.goto(`${evilOrigin}evil.html`);
  const target = `${server.url}ptth/clients/${clientId}`;
  const outcomes = await evil.evaluate(async (target) => {
    const attempt = async (init: RequestInit, path: string) => {
      try {
        const response = await fetch(target + path, { mode: 'no-cors', ...init });
        return response.type;
      } catch (error) {
        return `refused: ${(error as Error).name}`;
      }
    };
    return [
      await attempt(
        { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '<li>evil</li>' },
        "//ul[@id='todo']",
      ),
      await attempt({ method: 'GET' }, '/html/body'),
      await attempt({ method: 'POST', body: '{}' }, '/../../connect'),
    ];
  }, target);
  // Chromium's Local Network Access blocks these itself; browsers without it reach the server,
  // which refuses them by their headers (next test, and access-guard.test.ts).
  expect(outcomes).toHaveLength(3);
  await expect(page.locator('#todo li')).toHaveCount(2);
  await expect(page.locator('#todo li', { hasText: 'evil' })).toHaveCount(0);
  expect(server.hub.clients()).toHaveLength(1);
});

test('requests with the headers a browser puts on cross-site requests are refused', async ({ server, clientId }) => {
  const target = `${server.url}ptth/clients/${clientId}/html/body`;
  const attempts: Array<Record<string, string>> = [
    { 'sec-fetch-site': 'cross-site' },
    { origin: 'http://evil.example' },
    { 'sec-fetch-site': 'same-site' },
  ];
  for (const headers of attempts) {
    const response = await fetch(target, { headers });
    expect(response.status, JSON.stringify(headers)).toBe(403);
  }
  const connect = await fetch(`${server.url}ptth/connect`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
    body: '{}',
  });
  expect(connect.status).toBe(403);
  expect(server.hub.clients()).toHaveLength(1);
});

test('a request naming another host (DNS rebinding) is refused', async ({ server }) => {
  const { request } = await import('node:http');
  const url = new URL(server.url);
  const status = await new Promise<number>((resolve, reject) => {
    request(
      { host: url.hostname, port: url.port, path: '/ptth/clients', headers: { host: `rebind.example:${url.port}` } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    )
      .on('error', reject)
      .end();
  });
  expect(status).toBe(403);
});

test('XSS payloads written by PUT, POST, PATCH and attribute writes never run in the page', async ({
  page,
  reverse,
}) => {
  const html = { 'content-type': 'text/html' };
  const writes = [
    await reverse(
      'PUT',
      '/html/body/header/h1',
      '<h1 id="title" onmouseover="window.xss=1">x<img src="nope.png" onerror="window.xss=2"></h1>',
      html,
    ),
    await reverse(
      'POST',
      '/html/body/main',
      '<p id="p"><a id="l" href="javascript:window.xss=3">l</a><svg><script>window.xss=4</script></svg></p>',
      html,
    ),
    await reverse(
      'PATCH',
      "//ul[@id='todo']",
      '<li><iframe srcdoc="<script>parent.xss=5</script>"></iframe><img src="x" onerror="window.xss=6"></li>',
      html,
    ),
    await reverse('PUT', '/html/body/header/h1/@onclick', 'window.xss=7'),
    await reverse('PUT', "//a[@id='l']/@href", 'javascript:window.xss=8'),
  ];
  expect(writes.map((response) => response.status)).toEqual([200, 201, 200, 403, 403]);
  await page.locator('h1').hover();
  await page.locator('h1').click();
  await page.locator('#l').click();
  // Wait until the broken images have failed, which is when an onerror would have run.
  await page.waitForFunction(() => Array.from(document.images).every((image) => image.complete));
  expect(await page.evaluate(() => (window as unknown as { xss?: number }).xss)).toBeUndefined();
});

test('a page with data-read-only and data-scope serves only reads inside its scope', async ({ page, server }) => {
  await page.route('**/scoped.html', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body:
        '<!DOCTYPE html><html><head><script src="/ptth/client.js" data-scope="#app" data-read-only></script></head>' +
        '<body><h1>outside</h1><div id="app"><p>inside</p></div></body></html>',
    }),
  );
  const id = await page.goto(`${server.url}scoped.html`).then(() =>
    page.evaluate(async () => {
      const w = window as unknown as { ptth: { connection: { id: string; state: string } } };
      while (w.ptth.connection.state !== 'open') await new Promise((resolve) => setTimeout(resolve, 10));
      return w.ptth.connection.id;
    }),
  );
  const { REVERSE_ORIGIN } = await import('../src/protocol/fetch-convert.ts');
  const call = (method: string, path: string) => server.hub.fetch(id, new Request(REVERSE_ORIGIN + path, { method }));
  expect(await (await call('GET', "//div[@id='app']/p")).text()).toBe('<p>inside</p>');
  expect((await call('GET', '/html/body/h1')).status).toBe(403);
  expect((await call('DELETE', "//div[@id='app']/p")).status).toBe(405);
  await expect(page.locator('#app p')).toHaveText('inside');
});

test('the client works under a strict Content-Security-Policy (no eval, no inline script)', async ({
  page,
  server,
}) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.route('**/strict.html', (route) =>
    route.fulfill({
      contentType: 'text/html',
      headers: {
        'content-security-policy':
          "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'",
      },
      body: '<!DOCTYPE html><html><head><script src="/ptth/client.js"></script></head><body><h1>strict</h1><ul id="l"></ul></body></html>',
    }),
  );
  await page.goto(`${server.url}strict.html`);
  const id = await page.evaluate(async () => {
    const w = window as unknown as { ptth: { connection: { id: string; state: string } } };
    while (w.ptth.connection.state !== 'open') await new Promise((resolve) => setTimeout(resolve, 10));
    return w.ptth.connection.id;
  });
  const { REVERSE_ORIGIN } = await import('../src/protocol/fetch-convert.ts');
  const put = await server.hub.fetch(
    id,
    new Request(`${REVERSE_ORIGIN}//ul[@id='l']`, {
      method: 'PATCH',
      body: '<li>a</li><li>b</li>',
      headers: { 'content-type': 'text/html' },
    }),
  );
  expect(put.status).toBe(200);
  await expect(page.locator('#l li')).toHaveCount(2);
  expect(violations).toEqual([]);
});

test('a page answering with 10,000 header fields gives the gateway caller a 502 that names the limit', async ({
  page,
  server,
}) => {
  await page.goto(server.url);
  const id = await page.evaluate(async () => {
    const w = window as unknown as {
      ptth: {
        connection: { close(): void };
        connect(options: object): { id: string | null; state: string };
      };
    };
    w.ptth.connection.close();
    const headers = Array.from({ length: 10_000 }, (_, i): [string, string] => [`x-h${i}`, 'v']);
    const connection = w.ptth.connect({ handler: () => new Response('many', { headers }) });
    while (connection.state !== 'open') await new Promise((resolve) => setTimeout(resolve, 10));
    return connection.id as string;
  });
  const response = await fetch(`${server.url}ptth/clients/${id}/anything`);
  expect(response.status).toBe(502);
  const problem = await response.json();
  // 10,000 of the handler's and the Content-Type the Response class adds.
  expect(problem.detail).toBe(
    `Client "${id}" answered GET /anything with a response that has 10001 header fields, over the limit of 100 (maxHeaders)`,
  );
  expect(server.hub.stats().limited.maxHeaders).toBe(1);
});

test('the gateway limits the rate of requests to one page: 429 with Retry-After, then it serves again', async ({
  page,
}) => {
  // One token every 2 s: the burst is spent long before the next one comes.
  const server = await startDevServer({ port: 0, hub: { requestsPerSecond: 0.5, requestBurst: 3 } });
  try {
    const id = await openDemo(page, server);
    const url = `${server.url}ptth/clients/${id}/html/body/header/h1`;
    const responses = await Promise.all(Array.from({ length: 5 }, () => fetch(url)));
    expect(responses.map((response) => response.status).sort()).toEqual([200, 200, 200, 429, 429]);
    const refused = responses.find((response) => response.status === 429) as Response;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await refused.json()).detail).toMatch(
      new RegExp(`Client "${id}" is sent more reverse requests .* \\(requestsPerSecond, burst 3\\); retry in \\d s`),
    );
    await expect.poll(async () => (await fetch(url)).status, { timeout: 10_000 }).toBe(200);
    // The two of the burst, and those refused while waiting.
    expect(server.hub.stats().limited.requestsPerSecond).toBeGreaterThanOrEqual(2);
  } finally {
    await server.close();
  }
});
