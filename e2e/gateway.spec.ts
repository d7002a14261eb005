/** Plain HTTP through the gateway reaches the page, as curl would. */
import { expect, test } from './fixtures.ts';

const html = { 'content-type': 'text/html' };

test('GET /ptth/clients lists the connected page', async ({ server, clientId }) => {
  const response = await fetch(`${server.url}ptth/clients`);
  expect(response.status).toBe(200);
  const clients = await response.json();
  expect(clients).toEqual([
    expect.objectContaining({ id: clientId, transport: 'long-poll', url: server.url, connectedAt: expect.any(String) }),
  ]);
  expect(new Date(clients[0].connectedAt).toISOString()).toBe(clients[0].connectedAt);
});

test('GET through the gateway returns the node', async ({ gatewayUrl }) => {
  const response = await fetch(gatewayUrl('/html/body/header/h1'));
  expect(response.status).toBe(200);
  expect(await response.text()).toBe('<h1 id="title">Hello from ptth</h1>');
});

test('an XPath with brackets, quotes and spaces survives percent-encoding', async ({ gatewayUrl }) => {
  const response = await fetch(
    gatewayUrl(`/${encodeURIComponent(`string(//ul[@id="todo"]/li[. = 'curl this tab'])`)}`),
  );
  expect(await response.text()).toBe('curl this tab');
  const raw = await fetch(gatewayUrl(`//ul[@id='todo']/li[2]`));
  expect(await raw.text()).toBe('<li>curl this tab</li>');
});

test('PUT, POST and DELETE through the gateway change the page', async ({ gatewayUrl, page }) => {
  const put = await fetch(gatewayUrl('/html/body/header/h1'), {
    method: 'PUT',
    body: '<h1 id="title">curl was here</h1>',
    headers: html,
  });
  expect(put.status).toBe(200);
  await expect(page.locator('h1')).toHaveText('curl was here');

  const post = await fetch(gatewayUrl(`//ul[@id='todo']`), { method: 'POST', body: '<li>added</li>', headers: html });
  expect(post.status).toBe(201);
  const location = post.headers.get('location') ?? '';
  expect(location).toBe(new URL(gatewayUrl('/html/body/main/section[1]/ul/li[3]')).pathname);
  await expect(page.locator('#todo li').last()).toHaveText('added');
  expect(await (await fetch(new URL(location, gatewayUrl('/')))).text()).toBe('<li>added</li>');

  const del = await fetch(new URL(location, gatewayUrl('/')), { method: 'DELETE' });
  expect(del.status).toBe(204);
  await expect(page.locator('#todo li')).toHaveCount(2);
});

test('HEAD has the length of GET and no body', async ({ gatewayUrl }) => {
  const response = await fetch(gatewayUrl('/html/body/header/h1'), { method: 'HEAD' });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-length')).toBe(String('<h1 id="title">Hello from ptth</h1>'.length));
});

test('errors come back as problem JSON: 404 missing node, 400 bad XPath, 404 unknown client', async ({
  gatewayUrl,
  server,
}) => {
  const missing = await fetch(gatewayUrl('/html/body/h6'));
  expect(missing.status).toBe(404);
  expect(missing.headers.get('content-type')).toBe('application/problem+json');
  const bad = await fetch(gatewayUrl('/html/body['));
  expect(bad.status).toBe(400);
  expect((await bad.json()).detail).toContain('"/html/body["');
  const unknown = await fetch(`${server.url}ptth/clients/nobody/html`);
  expect(unknown.status).toBe(404);
  expect((await unknown.json()).detail).toContain('"nobody"');
});

test('a body over the limit is 413 and never reaches the page', async ({ gatewayUrl, page }) => {
  const big = `<h1 id="title">${'x'.repeat(1024 * 1024)}</h1>`;
  const response = await fetch(gatewayUrl('/html/body/header/h1'), { method: 'PUT', body: big, headers: html });
  expect(response.status).toBe(413);
  await expect(page.locator('h1')).toHaveText('Hello from ptth');
});

test('GET /ptth/clients/{id} describes one client', async ({ server, clientId }) => {
  const response = await fetch(`${server.url}ptth/clients/${clientId}`);
  expect((await response.json()).id).toBe(clientId);
});

test('parent steps (..) and slashes inside literals reach the page intact', async ({ server, clientId }) => {
  // fetch() folds "..", as browsers and curl do: send the raw path, like curl --path-as-is.
  const { request } = await import('node:http');
  const url = new URL(server.url);
  const raw = (path: string) =>
    new Promise<string>((resolve, reject) => {
      request({ host: url.hostname, port: url.port, path: `/ptth/clients/${clientId}${path}` }, (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve(body));
      })
        .on('error', reject)
        .end();
    });
  expect(await raw('/html/body/header/h1/..')).toMatch(/^<header>/);
  expect(await raw(`/string(//ul[@id='todo']/li[.%20!=%20'a/../b'][2])`)).toBe('curl this tab');
});

test("a page's answer cannot act on the server's origin: sandboxed, no cookies", async ({ gatewayUrl }) => {
  const response = await fetch(gatewayUrl('/html/body'), { headers: { cookie: 'session=secret' } });
  expect(response.headers.get('content-security-policy')).toBe('sandbox');
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('set-cookie')).toBeNull();
});

test('a page that closes its connection leaves the client list at once', async ({ page, server, clientId }) => {
  await page.evaluate(() => (window as unknown as { ptth: { connection: { close(): void } } }).ptth.connection.close());
  await expect.poll(() => server.hub.clients().map((client) => client.id), { timeout: 1_000 }).not.toContain(clientId);
  const gone = await fetch(`${server.url}ptth/clients/${clientId}/html`);
  expect(gone.status).toBe(404);
});

test('the gateway pre-check and Chromium agree on which XPath expressions are valid', async ({ server, clientId }) => {
  const { INVALID_XPATHS, VALID_XPATHS } = await import('../src/server/precheck-cases.ts');
  const { pathOf } = await import('../src/protocol/paths.ts');
  const { REVERSE_ORIGIN } = await import('../src/protocol/fetch-convert.ts');
  expect(server.hub.session(clientId)?.dom).toBe(true);
  for (const expression of VALID_XPATHS) {
    const viaGateway = await fetch(`${server.url}ptth/clients/${clientId}${pathOf(expression)}`);
    expect(viaGateway.status, expression).not.toBe(400);
  }
  for (const expression of INVALID_XPATHS) {
    const viaGateway = await fetch(`${server.url}ptth/clients/${clientId}${pathOf(expression)}`);
    expect(viaGateway.status, expression).toBe(400);
    expect((await viaGateway.json()).checkedBy, expression).toBe('gateway');
    const inChromium = await server.hub.fetch(clientId, new Request(REVERSE_ORIGIN + pathOf(expression)));
    expect(inChromium.status, expression).toBe(400);
  }
});

test('the gateway refuses malformed XML bodies with line and column, before the page sees them', async ({
  gatewayUrl,
  page,
}) => {
  const response = await fetch(gatewayUrl(`//ul[@id='todo']`), {
    method: 'PATCH',
    headers: { 'content-type': 'application/xml-patch+xml' },
    body: '<diff>\n<add sel="."><li>x</diff>',
  });
  expect(response.status).toBe(400);
  const problem = await response.json();
  expect(problem.line).toBe(2);
  expect(problem.checkedBy).toBe('gateway');
  await expect(page.locator('#todo li')).toHaveCount(2);
});
