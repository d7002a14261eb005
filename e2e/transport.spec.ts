/** The long-poll loop under concurrency, binary bodies, both wire encodings and faults. */
import { REVERSE_ORIGIN } from '../src/protocol/fetch-convert.ts';
import { expect, test } from './fixtures.ts';

type Win = {
  ptth: {
    connection: { close(): void; id: string | null; state: string };
    connect(options: object): { id: string | null };
  };
};

/** Replaces the demo's connection with one served by a test handler; returns the new client id. */
async function connectTestHandler(
  page: import('@playwright/test').Page,
  server: { hub: import('../src/server/hub.ts').Hub },
  wire: 'json' | 'http' = 'json',
) {
  await page.evaluate((wire) => {
    const { ptth } = window as unknown as Win;
    ptth.connection.close();
    ptth.connect({
      wire,
      handler: async (request: Request) => {
        const path = new URL(request.url).pathname;
        if (path === '/slow') await new Promise((resolve) => setTimeout(resolve, 1500));
        if (path === '/never') await new Promise(() => {});
        if (path === '/endless') {
          const chunk = new Uint8Array(64 * 1024);
          return new Response(new ReadableStream({ pull: (controller) => controller.enqueue(chunk) }));
        }
        if (path === '/bytes')
          return new Response(
            new Uint8Array(256).map((_, i) => i),
            { headers: { 'content-type': 'application/octet-stream' } },
          );
        if (path === '/echo') {
          const body = new Uint8Array(await request.arrayBuffer());
          return new Response(body, {
            status: 200,
            headers: {
              'x-method': request.method,
              'x-query': new URL(request.url).search,
              'x-test': request.headers.get('x-test') ?? '',
            },
          });
        }
        return new Response(`fast ${path}`);
      },
    });
  }, wire);
  // The new connection may keep the tab's id or get a new one: ask the page, then the hub.
  const id = await page.evaluate(async () => {
    const { ptth } = window as unknown as Win;
    while (ptth.connection.state !== 'open') await new Promise((resolve) => setTimeout(resolve, 10));
    return ptth.connection.id as string;
  });
  await expect.poll(() => server.hub.session(id)?.dom).toBe(false);
  return id;
}

test('a slow handler does not block the others', async ({ page, server, clientId }) => {
  expect(clientId).toBeTruthy();
  const id = await connectTestHandler(page, server);
  const hub = server.hub;
  const slow = hub
    .fetch(id, new Request(`${REVERSE_ORIGIN}/slow`))
    .then(async (r) => ({ at: Date.now(), text: await r.text() }));
  const fast = await Promise.all(
    Array.from({ length: 20 }, async (_, i) => ({
      at: Date.now(),
      text: await (await hub.fetch(id, new Request(`${REVERSE_ORIGIN}/f${i}`))).text(),
    })),
  );
  const fastDone = Date.now();
  expect(fast.map((result) => result.text)).toEqual(Array.from({ length: 20 }, (_, i) => `fast /f${i}`));
  const slowResult = await slow;
  expect(slowResult.text).toBe('fast /slow');
  expect(fastDone).toBeLessThan(Date.now());
});

for (const wire of ['json', 'http'] as const) {
  test(`binary bodies, methods, headers and queries survive both ways (${wire} wire)`, async ({
    page,
    server,
    clientId,
  }) => {
    expect(clientId).toBeTruthy();
    const id = await connectTestHandler(page, server, wire);
    const bytes = await server.hub.fetch(id, new Request(`${REVERSE_ORIGIN}/bytes`));
    expect(Array.from(new Uint8Array(await bytes.arrayBuffer()))).toEqual(Array.from({ length: 256 }, (_, i) => i));
    const sent = new Uint8Array([0, 255, 13, 10, 13, 10, 128, 1]);
    const echo = await fetch(`${server.url}ptth/clients/${id}/echo?a=1&b=%20`, {
      method: 'PATCH',
      body: sent,
      headers: { 'x-test': 'yes' },
    });
    expect(echo.status).toBe(200);
    expect(Array.from(new Uint8Array(await echo.arrayBuffer()))).toEqual(Array.from(sent));
    expect(echo.headers.get('x-method')).toBe('PATCH');
    expect(echo.headers.get('x-query')).toBe('?a=1&b=%20');
    expect(echo.headers.get('x-test')).toBe('yes');
  });
}

test('a page that never answers gives the caller 504, not a hang', async ({ page, server, clientId }) => {
  expect(clientId).toBeTruthy();
  const id = await connectTestHandler(page, server);
  const response = await server.hub.fetch(id, new Request(`${REVERSE_ORIGIN}/never`), { timeoutMs: 500 });
  expect(response.status).toBe(504);
  expect((await response.json()).detail).toContain('/never');
});

test('a closed tab leaves the list and its pending callers get 503', async ({ page, server, clientId }) => {
  const id = await connectTestHandler(page, server);
  const pending = server.hub.fetch(id, new Request(`${REVERSE_ORIGIN}/never`));
  await expect.poll(() => server.hub.session(id)?.pending).toBe(1);
  await page.close();
  const response = await pending;
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toBeTruthy();
  await expect.poll(() => server.hub.clients().map((client) => client.id)).not.toContain(clientId);
  expect(server.hub.clients().map((client) => client.id)).not.toContain(id);
});

test('a handler answering an endless body gives the caller a 502 at the body limit, not a hang', async ({
  page,
  server,
  clientId,
}) => {
  expect(clientId).toBeTruthy();
  const id = await connectTestHandler(page, server);
  const response = await server.hub.fetch(id, new Request(`${REVERSE_ORIGIN}/endless`), { timeoutMs: 8_000 });
  expect(response.status).toBe(502);
  expect((await response.json()).detail).toMatch(/larger than the limit/);
});
