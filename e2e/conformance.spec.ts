/** The DOM resource conformance suite (src/client/conformance-cases.ts) on a live page in Chromium. */
import type { Page } from '@playwright/test';
import { CONFORMANCE_CASES, CONFORMANCE_PAGE } from '../src/client/conformance-cases.ts';
import { REVERSE_ORIGIN } from '../src/protocol/fetch-convert.ts';
import { pathOf } from '../src/protocol/paths.ts';
import { type DevServer, startDevServer } from '../src/server/dev-server.ts';
import { expect, test } from './fixtures.ts';

test.describe.configure({ mode: 'serial' });

let server: DevServer;
let page: Page;
let id: string;

test.beforeAll(async ({ browser }) => {
  server = await startDevServer({ port: 0 });
  page = await browser.newPage();
  // A page of its own, served by interception: nothing but the client and the case's markup.
  await page.route('**/conformance.html', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!DOCTYPE html><html>${CONFORMANCE_PAGE.replace('<head>', '<head><script src="/ptth/client.js"></script>')}</html>`,
    }),
  );
  await page.goto(`${server.url}conformance.html`);
  await page.waitForFunction(
    () => (window as unknown as { ptth: { connection: { state: string } } }).ptth.connection.state === 'open',
  );
  id = await page.evaluate(() => (window as unknown as { ptth: { connection: { id: string } } }).ptth.connection.id);
});

test.afterAll(async () => {
  await page.close();
  await server.close();
});

const call = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
  server.hub.fetch(id, new Request(REVERSE_ORIGIN + pathOf(path), { method, body: body ?? null, headers }));

for (const entry of CONFORMANCE_CASES) {
  test(entry.name, async () => {
    await page.evaluate((inner) => {
      document.documentElement.innerHTML = inner;
    }, CONFORMANCE_PAGE);
    const response = await call(entry.method, entry.path, entry.body, entry.headers);
    const text = await response.text();
    expect(response.status, text).toBe(entry.status);
    if (entry.body_is !== undefined) expect(text).toBe(entry.body_is);
    if (entry.body_matches) expect(text).toMatch(entry.body_matches);
    for (const [name, pattern] of Object.entries(entry.response_headers ?? {})) {
      expect(response.headers.get(name) ?? '(none)', name).toMatch(pattern);
    }
    if (entry.after) {
      const after = await call('GET', entry.after.path);
      if (entry.after.body === null) expect(after.status).toBe(404);
      else expect(await after.text()).toBe(entry.after.body);
    }
  });
}
