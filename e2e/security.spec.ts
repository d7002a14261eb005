/** A web page on another site cannot drive the user's tabs through the local gateway. */
import { expect, test } from './fixtures.ts';

test('a cross-site page cannot use the gateway or the endpoints, even knowing a client id', async ({
  page,
  server,
  clientId,
}) => {
  const evil = await page.context().newPage();
  // Another site: "localhost" is not the same site as "127.0.0.1".
  const evilOrigin = server.url.replace('127.0.0.1', 'localhost');
  await evil.route(`${evilOrigin}evil.html`, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!DOCTYPE html><title>evil</title>' }),
  );
  await evil.goto(`${evilOrigin}evil.html`);
  const target = `${server.url}ptth/clients/${clientId}`;
  const outcomes = await evil.evaluate(async (target) => {
    const attempt = async (init: RequestInit, path: string) => {
      try {
        const response = await fetch(target + path, { mode: 'no-cors', ...init });
        return response.type;
      } catch (error) {
        return `refused: ${(error as Error).name}`;
      }
    };
    return [
      await attempt(
        { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '<li>evil</li>' },
        "//ul[@id='todo']",
      ),
      await attempt({ method: 'GET' }, '/html/body'),
      await attempt({ method: 'POST', body: '{}' }, '/../../connect'),
    ];
  }, target);
  // Chromium's Local Network Access blocks these itself; browsers without it reach the server,
  // which refuses them by their headers (next test, and access-guard.test.ts).
  expect(outcomes).toHaveLength(3);
  await expect(page.locator('#todo li')).toHaveCount(2);
  await expect(page.locator('#todo li', { hasText: 'evil' })).toHaveCount(0);
  expect(server.hub.clients()).toHaveLength(1);
});

test('requests with the headers a browser puts on cross-site requests are refused', async ({ server, clientId }) => {
  const target = `${server.url}ptth/clients/${clientId}/html/body`;
  const attempts: Array<Record<string, string>> = [
    { 'sec-fetch-site': 'cross-site' },
    { origin: 'http://evil.example' },
    { 'sec-fetch-site': 'same-site' },
  ];
  for (const headers of attempts) {
    const response = await fetch(target, { headers });
    expect(response.status, JSON.stringify(headers)).toBe(403);
  }
  const connect = await fetch(`${server.url}ptth/connect`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
    body: '{}',
  });
  expect(connect.status).toBe(403);
  expect(server.hub.clients()).toHaveLength(1);
});

test('a request naming another host (DNS rebinding) is refused', async ({ server }) => {
  const { request } = await import('node:http');
  const url = new URL(server.url);
  const status = await new Promise<number>((resolve, reject) => {
    request(
      { host: url.hostname, port: url.port, path: '/ptth/clients', headers: { host: `rebind.example:${url.port}` } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    )
      .on('error', reject)
      .end();
  });
  expect(status).toBe(403);
});
