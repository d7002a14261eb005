/**
 * Playwright fixtures: a dev server on a free port for each test (closed with all its
 * connections afterwards) and the demo page connected to it as a client.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { REVERSE_ORIGIN } from '../src/protocol/fetch-convert.ts';
import { type DevServer, startDevServer } from '../src/server/dev-server.ts';

interface Fixtures {
  server: DevServer;
  /** The id of the demo page, opened and connected. */
  clientId: string;
  /** Makes a reverse request on the demo page through `hub.fetch`. */
  reverse: (method: string, path: string, body?: string, headers?: Record<string, string>) => Promise<Response>;
  /** The gateway URL of a reverse path on the demo page. */
  gatewayUrl: (path: string) => string;
}

/** Opens the demo page and waits until the hub lists it; returns its client id. */
export async function openDemo(page: Page, server: DevServer, path = '/'): Promise<string> {
  const before = new Set(server.hub.clients().map((client) => client.id));
  await page.goto(new URL(path, server.url).href);
  await expect(page.locator('#status')).toHaveAttribute('data-state', 'open');
  const id = await page.evaluate(
    () => (window as unknown as { ptth: { connection: { id: string } } }).ptth.connection.id,
  );
  expect(before.has(id)).toBe(false);
  expect(server.hub.session(id)).toBeTruthy();
  return id;
}

export const test = base.extend<Fixtures>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies by destructuring.
  server: async ({}, use) => {
    const server = await startDevServer({ port: 0, hub: { expireMs: 1_500, requestTimeoutMs: 10_000 } });
    await use(server);
    await server.close();
  },
  clientId: async ({ page, server }, use) => {
    await use(await openDemo(page, server));
  },
  reverse: async ({ server, clientId }, use) => {
    await use((method, path, body, headers = {}) =>
      server.hub.fetch(clientId, new Request(REVERSE_ORIGIN + path, { method, body: body ?? null, headers })),
    );
  },
  gatewayUrl: async ({ server, clientId }, use) => {
    await use((path) => `${server.url}ptth/clients/${clientId}${path}`);
  },
});

export { expect };
