/**
 * A page on another origin connects to a hub that lists its origin (CORS), in Chromium; a hub
 * that does not list it refuses, and the page says why. Both servers are on loopback, so
 * Chromium's Local Network Access has nothing to block.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import { REVERSE_ORIGIN } from '../src/protocol/fetch-convert.ts';
import { type DevServer, startDevServer } from '../src/server/dev-server.ts';
import { expect, test } from './fixtures.ts';

interface PtthWindow {
  ptth: {
    connection: { id: string | null; state: string; close(): void } | null;
    connect(): { on(type: 'error', listener: (detail: { reason: string }) => void): () => void };
  };
}

/** A tiny static server on its own port: another origin, serving one page that loads the hub's script. */
async function pageServer(hubUrl: () => string, connectAtLoad = true): Promise<{ origin: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(
      '<!DOCTYPE html><html><head><title>elsewhere</title>' +
        `<script src="${hubUrl()}ptth/client.js"${connectAtLoad ? '' : ' data-connect="false"'}></script>` +
        '</head><body><h1 id="t">from another origin</h1><ul id="l"><li>a</li></ul></body></html>',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function openConnected(page: Page, url: string): Promise<string> {
  await page.goto(url);
  await expect.poll(() => page.evaluate(() => (window as unknown as PtthWindow).ptth.connection?.state)).toBe('open');
  return page.evaluate(() => (window as unknown as PtthWindow).ptth.connection?.id ?? '');
}

test.describe('a page on another origin', () => {
  let hub: DevServer | undefined;
  let other: Server | undefined;
  test.afterEach(async () => {
    await hub?.close();
    other?.close();
    other?.closeAllConnections();
    hub = undefined;
    other = undefined;
  });

  test('connects to a hub that lists its origin, is driven, and leaves when it closes', async ({ page }) => {
    const site = await pageServer(() => hub?.url ?? '');
    other = site.server;
    hub = await startDevServer({ port: 0, allowedOrigins: [site.origin], hub: { expireMs: 60_000 } });
    const id = await openConnected(page, `${site.origin}/app.html`);
    expect(hub.hub.clients()).toEqual([expect.objectContaining({ id, url: `${site.origin}/app.html` })]);

    const get = await hub.hub.fetch(id, new Request(`${REVERSE_ORIGIN}/html/body/h1`));
    expect(await get.text()).toBe('<h1 id="t">from another origin</h1>');
    const post = await hub.hub.fetch(
      id,
      new Request(`${REVERSE_ORIGIN}//ul[@id='l']`, {
        method: 'POST',
        body: '<li>b</li>',
        headers: { 'content-type': 'text/html' },
      }),
    );
    expect(post.status).toBe(201);
    await expect(page.locator('#l li')).toHaveCount(2);

    // The goodbye is a DELETE with the Ptth-* headers: preflighted, and it still gets through.
    await page.evaluate(() => (window as unknown as PtthWindow).ptth.connection?.close());
    await expect.poll(() => hub?.hub.clients().length).toBe(0);
    expect(hub.hub.stats().limited).toEqual({});
  });

  test('cannot use the gateway, even from a listed origin', async ({ page }) => {
    const site = await pageServer(() => hub?.url ?? '', false);
    other = site.server;
    hub = await startDevServer({ port: 0, allowedOrigins: [site.origin] });
    await page.goto(`${site.origin}/app.html`);
    const outcome = await page.evaluate(async (gateway) => {
      try {
        return String((await fetch(gateway)).status);
      } catch (error) {
        return `refused: ${(error as Error).name}`;
      }
    }, `${hub.url}ptth/clients`);
    expect(outcome).toBe('refused: TypeError');
    expect(hub.hub.stats().limited.allowedOrigins).toBe(1);
  });

  test('fails with a clear error when the hub does not list its origin', async ({ page, server }) => {
    const site = await pageServer(() => server.url, false);
    other = site.server;
    await page.goto(`${site.origin}/app.html`);
    const reason = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const connection = (window as unknown as PtthWindow).ptth.connect();
          connection.on('error', ({ reason }) => resolve(reason));
        }),
    );
    expect(reason).toContain(`it must list ${site.origin} in its allowedOrigins, PTTH_ALLOWED_ORIGINS`);
    expect(server.hub.clients()).toHaveLength(0);
    // The hub saw the preflight and counted the refusal, which the dev server logs.
    expect(server.hub.stats().limited.allowedOrigins).toBeGreaterThanOrEqual(1);
  });
});
