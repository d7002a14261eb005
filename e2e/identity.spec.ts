/** A tab keeps its client id across reloads and server restarts; a duplicated tab gets its own. */
import { REVERSE_ORIGIN } from '../src/protocol/fetch-convert.ts';
import { startDevServer } from '../src/server/dev-server.ts';
import { expect, openDemo, test } from './fixtures.ts';

type Win = { ptth: { connection: { id: string | null; state: string } } };
const connectionId = (page: import('@playwright/test').Page) =>
  page.evaluate(() => (window as unknown as Win).ptth.connection.id);

test('a reload keeps the client id, so gateway URLs keep working', async ({ page, server, clientId, gatewayUrl }) => {
  await page.reload();
  await expect(page.locator('#status')).toHaveAttribute('data-state', 'open');
  expect(await connectionId(page)).toBe(clientId);
  const response = await fetch(gatewayUrl('/html/body/header/h1'));
  expect(await response.text()).toBe('<h1 id="title">Hello from ptth</h1>');
  expect(server.hub.clients().map((client) => client.id)).toEqual([clientId]);
});

test('a duplicated tab (same sessionStorage) gets an id of its own; both answer', async ({
  page,
  server,
  clientId,
}) => {
  const stored = await page.evaluate(() => Object.entries(sessionStorage));
  const twin = await page.context().newPage();
  await twin.addInitScript((entries) => {
    for (const [key, value] of entries) sessionStorage.setItem(key, value);
  }, stored);
  const twinId = await openDemo(twin, server);
  expect(twinId).not.toBe(clientId);
  for (const id of [clientId, twinId]) {
    const response = await server.hub.fetch(id, new Request(`${REVERSE_ORIGIN}/string(//h1)`));
    expect(await response.text()).toBe('Hello from ptth');
  }
  expect(await connectionId(page)).toBe(clientId);
});

test('a server restart keeps the client id, without reloading the page', async ({ page }) => {
  const first = await startDevServer({ port: 0 });
  const port = Number(new URL(first.url).port);
  const oldId = await openDemo(page, first);
  await first.close();
  await expect(page.locator('#status')).toHaveAttribute('data-state', /backoff|connecting/);
  const second = await startDevServer({ port });
  try {
    await expect.poll(() => second.hub.clients().map((client) => client.id), { timeout: 15_000 }).toEqual([oldId]);
    const response = await fetch(`${second.url}ptth/clients/${oldId}/html/body/header/h1`);
    expect(await response.text()).toBe('<h1 id="title">Hello from ptth</h1>');
  } finally {
    await second.close();
  }
});

test('coming back online recovers at once, whatever the backoff', async ({ page }) => {
  const server = await startDevServer({ port: 0, hub: { holdMs: 500, expireMs: 60_000 } });
  try {
    const clientId = await openDemo(page, server);
    await page.context().setOffline(true);
    await expect(page.locator('#status')).toHaveAttribute('data-state', 'backoff', { timeout: 10_000 });
    // Let the backoff grow past what the test allows below.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 3_000)));
    await page.context().setOffline(false);
    const started = Date.now();
    const response = await server.hub.fetch(clientId, new Request(`${REVERSE_ORIGIN}/string(//h1)`), {
      timeoutMs: 2_000,
    });
    expect(await response.text()).toBe('Hello from ptth');
    expect(Date.now() - started).toBeLessThan(2_000);
    await expect(page.locator('#status')).toHaveAttribute('data-state', 'open');
  } finally {
    await server.close();
  }
});
