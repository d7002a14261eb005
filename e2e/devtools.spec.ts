/** `window.ptth` as the page's devtools: state, the request log, debug groups, and local fetch. */
import type { ConsoleMessage } from '@playwright/test';
import { expect, test } from '../src/test/index.ts';

interface Devtools {
  state: string;
  id: string | null;
  debug: boolean;
  log: Array<{ id: string; method: string; path: string; status: number; ms: number; at: number }>;
  fetch(path: string, init?: RequestInit): Promise<Response>;
}
declare const ptth: Devtools;

test.use({ ptthPage: '<!DOCTYPE html><h1 id="title">Devtools</h1><ul id="list"><li>one</li></ul>' });

test('ptth shows the state and id, and logs each request served, newest last', async ({ ptth: server, page }) => {
  expect(await page.evaluate(() => [ptth.state, ptth.id])).toEqual(['open', server.clientId]);
  const before = Date.now();
  await server.get('//h1');
  await server.put('//h1', '<h1 id="title">changed</h1>');
  await server.get('//nothing');
  const log = await page.evaluate(() => ptth.log);
  expect(log.map(({ method, path, status }) => [method, path, status])).toEqual([
    ['GET', '//h1', 200],
    ['PUT', '//h1', 200],
    ['GET', '//nothing', 404],
  ]);
  for (const entry of log) {
    expect(entry.ms).toBeGreaterThanOrEqual(0);
    expect(entry.at).toBeGreaterThanOrEqual(before - 1_000);
  }
});

test('the log keeps the last 100 requests', async ({ ptth: server, page }) => {
  for (let i = 0; i < 105; i += 15) {
    await Promise.all(Array.from({ length: 15 }, (_, j) => server.get(`count(//li) + ${i + j}`)));
  }
  const log = await page.evaluate(() => ptth.log.map((entry) => entry.path));
  expect(log).toHaveLength(100);
  // Paths are logged as they travelled, percent-encoded.
  expect(log.at(-1)).toBe('/count(//li)%20+%20104');
  expect(log).toContain('/count(//li)%20+%205');
  expect(log).not.toContain('/count(//li)%20+%204');
});

test('with debug on, each request is a collapsed console group with request and response', async ({
  ptth: server,
  page,
}) => {
  const messages: ConsoleMessage[] = [];
  page.on('console', (message) => messages.push(message));
  await server.get('//h1');
  expect(messages.filter((message) => message.type() === 'startGroupCollapsed')).toEqual([]);
  await page.evaluate(() => {
    ptth.debug = true;
  });
  await server.post("//ul[@id='list']", '<li>two</li>');
  await expect.poll(() => messages.map((message) => message.type())).toContain('endGroup');
  const group = messages.find((message) => message.type() === 'startGroupCollapsed');
  expect(group?.text()).toMatch(/^ptth POST \/\/ul\[@id='list'\] → 201 \(\d+\.\d ms\)$/);
  const [request, response] = messages.filter((message) => message.type() === 'log');
  expect(request?.text()).toMatch(/^request .*<li>two<\/li>$/);
  expect(response?.text()).toMatch(/^response /);
  expect(await page.evaluate(() => ptth.log.length)).toBe(2);
});

test('data-debug on the script tag starts with debug on', async ({ ptth: server, page }) => {
  await server.open('<!DOCTYPE html><script src="/ptth/client.js" data-debug></script><h1>debug</h1>');
  const groups: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'startGroupCollapsed') groups.push(message.text());
  });
  expect(await page.evaluate(() => ptth.debug)).toBe(true);
  await server.get('//h1');
  await expect.poll(() => groups).toEqual([expect.stringMatching(/^ptth GET \/\/h1 → 200/)]);
});

test('ptth.fetch runs a request on the page locally, with the rules the server gets', async ({
  ptth: server,
  page,
}) => {
  const [status, body] = await page.evaluate(async () => {
    const response = await ptth.fetch('//h1');
    return [response.status, await response.text()];
  });
  expect([status, body]).toEqual([200, '<h1 id="title">Devtools</h1>']);
  const put = await page.evaluate(async () => {
    const response = await ptth.fetch('//h1', {
      method: 'PUT',
      headers: { 'content-type': 'text/html' },
      body: '<h1 id="title">set locally<img src=x onerror="window.ran = 1"></h1>',
    });
    return response.status;
  });
  expect(put).toBe(200);
  await expect(page.locator('h1')).toHaveText('set locally');
  expect(await page.evaluate(() => (window as unknown as { ran?: number }).ran)).toBeUndefined();
  expect(await server.text('string(//h1)')).toBe('set locally');
  expect(await page.evaluate(() => ptth.log.map((entry) => entry.method))).toEqual(['GET']);
});

test('the script serves reverse requests as messages: no Request is made in the page, unless debug is on', async ({
  ptth: server,
  page,
}) => {
  await page.evaluate(() => {
    const counted = { requests: 0 };
    const Original = Request;
    globalThis.Request = class extends Original {
      constructor(...args: ConstructorParameters<typeof Request>) {
        super(...args);
        counted.requests++;
      }
    };
    (globalThis as unknown as { counted: typeof counted }).counted = counted;
  });
  const made = () => page.evaluate(() => (globalThis as unknown as { counted: { requests: number } }).counted.requests);
  expect(await (await server.get('//h1')).text()).toBe('<h1 id="title">Devtools</h1>');
  expect((await server.put('//h1', '<h1 id="title">changed</h1>')).status).toBe(200);
  expect(await made()).toBe(0);
  await page.evaluate(() => {
    ptth.debug = true;
  });
  expect(await (await server.get('//h1')).text()).toBe('<h1 id="title">changed</h1>');
  expect(await made()).toBeGreaterThan(0);
});
