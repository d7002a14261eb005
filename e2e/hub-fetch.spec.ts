/**
 * The server drives the demo page through `hub.fetch`, and the page really changes. Written with
 * `ptth/test`, the fixture users get: `ptth` is the demo page, connected to a fresh dev server.
 */
import { REVERSE_ORIGIN } from '../src/protocol/fetch-convert.ts';
import { expect, test } from '../src/test/index.ts';

// The hub's default expireMs (15 s): nothing here is about expiry, and a starved machine may hold a poll up for more than a second.
test.use({ ptthPage: '/', ptthServer: { hub: { requestTimeoutMs: 10_000 } } });

test('GET returns the serialized node', async ({ ptth }) => {
  const response = await ptth.get('/html/body/header/h1');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(await response.text()).toBe('<h1 id="title">Hello from ptth</h1>');
});

test('GET of a number result is text/plain', async ({ ptth }) => {
  const response = await ptth.get('/count(//ul[@id="todo"]/li)');
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  expect(await response.text()).toBe('2');
});

test('PUT replaces the node on the page', async ({ ptth, page }) => {
  const response = await ptth.put('/html/body/header/h1', '<h1 id="title">Driven by the server</h1>');
  expect(response.status).toBe(200);
  await expect(page.locator('h1')).toHaveText('Driven by the server');
});

test('DELETE removes the node from the page', async ({ ptth, page }) => {
  const response = await ptth.delete('//ul[@id="todo"]/li[1]');
  expect(response.status).toBe(204);
  await expect(page.locator('#todo li')).toHaveCount(1);
  await expect(page.locator('#todo li')).toHaveText('curl this tab');
});

test('POST appends a child and its Location selects it', async ({ ptth, page }) => {
  const response = await ptth.post('//ul[@id="todo"]', '<li class="new">from the server</li>');
  expect(response.status).toBe(201);
  const location = response.headers.get('location') ?? '';
  expect(location).toBe('/html/body/main/section[1]/ul/li[3]');
  await expect(page.locator('#todo li').last()).toHaveText('from the server');
  expect(await ptth.text(location)).toBe('<li class="new">from the server</li>');
});

test('a missing node is 404 and a bad expression 400, both problem JSON naming the expression', async ({ ptth }) => {
  const missing = await ptth.get('/html/body/nothing');
  expect(missing.status).toBe(404);
  expect(missing.headers.get('content-type')).toBe('application/problem+json');
  expect((await missing.json()).detail).toContain('"/html/body/nothing"');
  const bad = await ptth.get('//li[');
  expect(bad.status).toBe(400);
  const problem = await bad.json();
  expect(problem.detail).toContain('"//li["');
  expect(problem.expression).toBe('//li[');
});

test('what the user types survives a PUT of the form, and focus stays', async ({ ptth, page }) => {
  await page.locator('#name').fill('typed by a person');
  const form =
    '<form id="form" class="server"><label>Name <input id="name" name="name" value=""></label>' +
    '<label>Note <textarea id="note" name="note"></textarea></label></form>';
  expect((await ptth.put('//form', form)).status).toBe(200);
  await expect(page.locator('#form')).toHaveClass('server');
  await expect(page.locator('#name')).toHaveValue('typed by a person');
  await expect(page.locator('#name')).toBeFocused();
});

test('the page logs the requests it answered', async ({ ptth, page }) => {
  await ptth.get('/html/body/header/h1');
  await expect(page.locator('#log tbody tr').first()).toContainText('GET');
  await expect(page.locator('#log tbody tr').first()).toContainText('/html/body/header/h1');
});

test('POST into an SVG element creates SVG elements that render', async ({ ptth, page }) => {
  await ptth.post('/html/body/main', '<svg id="pic" width="40" height="40"></svg>');
  const response = await ptth.post('//svg:svg[@id="pic"]', '<circle cx="20" cy="20" r="10" fill="red"/>');
  expect(response.status).toBe(201);
  expect(response.headers.get('location')).toMatch(/svg:svg\/svg:circle$/);
  expect(await page.evaluate(() => document.querySelector('#pic circle')?.namespaceURI)).toBe(
    'http://www.w3.org/2000/svg',
  );
  expect(await ptth.text(response.headers.get('location') ?? '')).toContain('<circle');
});

test('requests run in the order the hub sent them', async ({ ptth, page }) => {
  const results = await Promise.all([
    ptth.put('/html/body/header/h1', '<h1 id="title">one</h1>'),
    ptth.get('/string(/html/body/header/h1)'),
    ptth.put('/html/body/header/h1', '<h1 id="title">two</h1>'),
    ptth.get('/string(/html/body/header/h1)'),
  ]);
  expect(await results[1]?.text()).toBe('one');
  expect(await results[3]?.text()).toBe('two');
  await expect(page.locator('h1')).toHaveText('two');
});

test('the ES module build connects a page with a handler of its own', async ({ page, ptth }) => {
  const { hub, url } = ptth.server;
  await page.goto(`${url}demo/module.html`);
  await expect(page.locator('#state')).toHaveAttribute('data-state', 'open');
  const id = (await page.locator('#state').getAttribute('data-id')) ?? '';
  const hello = await hub.fetch(id, new Request(`${REVERSE_ORIGIN}/hello`));
  expect(await hello.text()).toBe('hello from a module');
  const named = await hub.fetch(id, new Request(`${REVERSE_ORIGIN}/hello/ptth`));
  expect(await named.text()).toBe('hello, ptth');
  const h1 = await hub.fetch(id, new Request(`${REVERSE_ORIGIN}/html/body/h1`));
  expect(await h1.text()).toBe('<h1>ES module</h1>');
});

test('the core build fetches DOMPurify at the first write, and sanitizes with it', async ({ page, ptth }) => {
  const { hub, url } = ptth.server;
  const purify: string[] = [];
  page.on('request', (request) => {
    if (/\/ptth\/core-purify[^/]*\.mjs$/.test(request.url())) purify.push(request.url());
  });
  await page.goto(`${url}demo/core.html`);
  await expect(page.locator('#state')).toHaveAttribute('data-state', 'open');
  const id = (await page.locator('#state').getAttribute('data-id')) ?? '';
  const h1 = await hub.fetch(id, new Request(`${REVERSE_ORIGIN}/html/body/h1`));
  expect(await h1.text()).toBe('<h1>ptth/core</h1>');
  expect(purify).toEqual([]);
  const put = await hub.fetch(
    id,
    new Request(`${REVERSE_ORIGIN}/html/body/h1`, {
      method: 'PUT',
      headers: { 'content-type': 'text/html' },
      body: '<h1 onclick="window.ran = 1">core<img src="x" onerror="window.ran = 2"></h1>',
    }),
  );
  expect(put.status).toBe(200);
  expect(await page.locator('h1').evaluate((h1) => h1.outerHTML)).toBe('<h1>core<img src="x"></h1>');
  expect(purify).toHaveLength(1);
});

test('an inserted <script> does not run', async ({ ptth, page }) => {
  const put = await ptth.put('/html/body/header/h1', '<h1 id="title">x<script>window.ran = 1</script></h1>');
  expect(put.status).toBe(200);
  const post = await ptth.post('/html/body/main', '<div><script>window.ran = 2</script></div>');
  expect(post.status).toBe(201);
  expect(await page.evaluate(() => (window as unknown as { ran?: number }).ran)).toBeUndefined();
});
