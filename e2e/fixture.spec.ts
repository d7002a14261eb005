/** `ptth/test`, the Playwright fixture for users: a running hub and the test's page connected to it. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../demo/integrations/express.ts';
import { Hub } from '../src/server/hub.ts';
import { expect, test } from '../src/test/index.ts';

test.describe('with markup', () => {
  test.use({ ptthPage: '<!DOCTYPE html><h1>Hello</h1><ul id="list"><li>one</li></ul>' });

  // The README's three lines.
  test('the server sets the title', async ({ ptth, page }) => {
    await ptth.put('//h1', '<h1>Hi</h1>');
    await expect(page.locator('h1')).toHaveText('Hi');
  });

  test('ptth is the connected page: its id, its nodes, the gateway', async ({ ptth, page }) => {
    expect(ptth.clientId).toBe(
      await page.evaluate(() => (window as unknown as { ptth: { connection: { id: string } } }).ptth.connection.id),
    );
    expect(ptth.hub.clients().map((client) => client.id)).toEqual([ptth.clientId]);
    expect(await ptth.text('string(//h1)')).toBe('Hello');
    expect((await ptth.post("//ul[@id='list']", '<li>two</li>')).status).toBe(201);
    await expect(page.locator('li')).toHaveText(['one', 'two']);
    expect((await ptth.delete("//ul[@id='list']/li[1]")).status).toBe(204);
    const viaGateway = await fetch(ptth.gatewayUrl("//ul[@id='list']"));
    expect(await viaGateway.text()).toBe('<ul id="list"><li>two</li></ul>');
    await expect(ptth.text('//nothing')).rejects.toThrow(/GET \/\/nothing answered 404/);
  });

  test('open() connects another page in its place', async ({ ptth, page }) => {
    const id = await ptth.open('<p id="other">other page</p>');
    expect(ptth.clientId).toBe(id);
    expect(ptth.hub.clients().map((client) => client.id)).toEqual([id]);
    expect(await ptth.text('//p')).toBe('<p id="other">other page</p>');
    await expect(page.locator('#other')).toBeVisible();
  });
});

test.describe('with your pages', () => {
  const pages = mkdtempSync(join(tmpdir(), 'ptth-fixture-'));
  writeFileSync(
    join(pages, 'index.html'),
    '<!DOCTYPE html><html><head><script src="/ptth/client.js"></script></head><body><h1>Served</h1></body></html>',
  );
  test.use({ ptthServer: { pages }, ptthPage: '/' });

  test('ptthServer.pages serves a folder of your own', async ({ ptth, page }) => {
    expect(await ptth.text('//h1')).toBe('<h1>Served</h1>');
    expect(page.url()).toBe(ptth.server.url);
  });
});

test.describe('with your own server', () => {
  test.use({
    ptthPage: '/',
    ptthServer: {
      start: async () => {
        const hub = new Hub();
        const server = createServer(createApp(hub));
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        return {
          url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
          hub,
          close: () =>
            new Promise<void>((resolve) => {
              hub.close();
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        };
      },
    },
  });

  test('ptthServer can start an Express app with the hub mounted', async ({ ptth, page }) => {
    await ptth.put('//h1', '<h1 id="title">Express, driven</h1>');
    await expect(page.locator('h1')).toHaveText('Express, driven');
    expect(await (await fetch(`${ptth.server.url}titles`)).json()).toEqual(['Express, driven']);
  });
});
