/**
 * `ptth/test`: a Playwright `test` whose `ptth` fixture gives each test a running hub and the
 * test's `page` connected to it, so a server-driven UI is tested in three lines:
 *
 * ```ts
 * import { expect, test } from 'ptth/test';
 * test('the server sets the title', async ({ ptth, page }) => {
 *   await ptth.put('//h1', '<h1>Hi</h1>');
 *   await expect(page.locator('h1')).toHaveText('Hi');
 * });
 * ```
 */
import { test as base, expect, type Page } from '@playwright/test';
import { DEFAULT_ENDPOINT } from '../protocol/long-poll-wire.ts';
import { pathOf } from '../protocol/paths.ts';
import { type DevServerOptions, startDevServer } from '../server/dev-server.ts';
import type { Hub } from '../server/hub.ts';

/** A running server with a hub: the dev server, or one of your own. */
export interface PtthServer {
  /** Base URL, ending with `/`. */
  url: string;
  hub: Hub;
  close(): Promise<void>;
}

/** The options a test file sets with `test.use({...})`. */
export interface PtthOptions {
  /**
   * The page under test: HTML markup (starting with `<`; the client script is added), a path on
   * the server (e.g. `/` with `ptthServer: { pages: 'public' }`) or a full URL. The page must
   * load `/ptth/client.js` (markup gets it added). Default: an empty page.
   */
  ptthPage: string;
  /**
   * Options of the dev server to start (`port` 0 unless given), or `{ start }` to start a server
   * of your own with the hub mounted (a function as such would be taken for a fixture).
   */
  ptthServer: DevServerOptions | { start(): Promise<PtthServer> };
}

/** The `ptth` fixture: the connected page as an HTTP resource, and the server around it. */
export interface PtthFixture {
  /** The page's client id. */
  clientId: string;
  hub: Hub;
  server: PtthServer;
  /** A request on the page: `path` is an XPath expression (or a route of the page's own), written as is. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  get(xpath: string, init?: RequestInit): Promise<Response>;
  /** The body of a `GET`; throws with the problem when the status is not 2xx. */
  text(xpath: string): Promise<string>;
  put(xpath: string, body: string, init?: RequestInit): Promise<Response>;
  post(xpath: string, body: string, init?: RequestInit): Promise<Response>;
  patch(xpath: string, body: string, init?: RequestInit): Promise<Response>;
  delete(xpath: string, init?: RequestInit): Promise<Response>;
  /** The gateway URL of `xpath` on the page, for `fetch` or `request` from the test. */
  gatewayUrl(xpath: string): string;
  /**
   * Opens another page (as `ptthPage` says) in the test's page and connects it; returns its id
   * (the tab's id, which a tab keeps across navigations).
   */
  open(target: string): Promise<string>;
}

/** An empty page, the default `ptthPage`. */
export const BLANK_PAGE = '<!DOCTYPE html><html><head><title>ptth test</title></head><body></body></html>';

/** Where markup pages are served from (intercepted in the browser, never reaching the server). */
const MARKUP_PATH = '/__ptth_test__/page.html';
const SCRIPT = `<script src="${DEFAULT_ENDPOINT}/client.js"></script>`;

/** Markup with the client script added at the start of its head (or of the markup), unless it loads it. */
export function withClientScript(markup: string): string {
  if (markup.includes(`${DEFAULT_ENDPOINT}/client.js`) || markup.includes(`${DEFAULT_ENDPOINT}/client.mjs`)) {
    return markup;
  }
  const head = /<head[^>]*>/i.exec(markup);
  if (head) return markup.slice(0, head.index + head[0].length) + SCRIPT + markup.slice(head.index + head[0].length);
  const doctype = /^\s*<!doctype[^>]*>/i.exec(markup);
  const at = doctype ? doctype[0].length : 0;
  return markup.slice(0, at) + SCRIPT + markup.slice(at);
}

/** Opens `target` in `page` and waits until it is connected to `server`; returns its client id. */
export async function connectPage(page: Page, server: PtthServer, target: string): Promise<string> {
  let url: string;
  if (target.trimStart().startsWith('<')) {
    url = new URL(MARKUP_PATH, server.url).href;
    await page.unroute(url);
    await page.route(url, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: withClientScript(target) }),
    );
  } else {
    url = new URL(target, server.url).href;
  }
  await page.goto(url);
  const handle = await page.waitForFunction(() => {
    const connection = (window as { ptth?: { connection?: { state: string; id: string | null } | null } }).ptth
      ?.connection;
    return connection?.state === 'open' ? connection.id : null;
  });
  const id = (await handle.jsonValue()) as string;
  // A tab keeps its id across navigations (sessionStorage), so the id may be the one it had.
  if (!server.hub.session(id)) throw new Error(`The page at ${url} connected as "${id}", which this hub does not have`);
  return id;
}

/** Playwright's `test` with the `ptth` fixture and its options; see the module comment. */
export const test = base.extend<PtthOptions & { ptthRunningServer: PtthServer; ptth: PtthFixture }>({
  ptthPage: [BLANK_PAGE, { option: true }],
  ptthServer: [{}, { option: true }],
  ptthRunningServer: async ({ ptthServer }, use) => {
    const server =
      'start' in ptthServer && typeof ptthServer.start === 'function'
        ? await ptthServer.start()
        : await startDevServer({ port: 0, ...(ptthServer as DevServerOptions) });
    await use(server);
    await server.close();
  },
  ptth: async ({ page, ptthRunningServer: server, ptthPage }, use) => {
    let clientId = await connectPage(page, server, ptthPage);
    // Its signal, if any, aborts the call (as with fetch).
    const fetch = (path: string, init: RequestInit = {}) =>
      server.hub.fetch(clientId, pathOf(path), { ...init, signal: init.signal ?? undefined });
    const withBody =
      (method: string) =>
      (xpath: string, body: string, init: RequestInit = {}) => {
        const headers = new Headers(init.headers);
        if (!headers.has('content-type')) headers.set('content-type', 'text/html');
        return fetch(xpath, { ...init, method, body, headers });
      };
    const fixture: PtthFixture = {
      get clientId() {
        return clientId;
      },
      hub: server.hub,
      server,
      fetch,
      get: (xpath, init = {}) => fetch(xpath, { ...init, method: 'GET' }),
      text: async (xpath) => {
        const response = await fetch(xpath);
        const body = await response.text();
        if (!response.ok) throw new Error(`GET ${xpath} answered ${response.status}: ${body}`);
        return body;
      },
      put: withBody('PUT'),
      post: withBody('POST'),
      patch: withBody('PATCH'),
      delete: (xpath, init = {}) => fetch(xpath, { ...init, method: 'DELETE' }),
      gatewayUrl: (xpath) => `${server.url}${DEFAULT_ENDPOINT.slice(1)}/clients/${clientId}${pathOf(xpath)}`,
      open: async (target) => {
        clientId = await connectPage(page, server, target);
        return clientId;
      },
    };
    await use(fixture);
  },
});

export { expect };
