/** Delivery under faults: nothing lost, nothing doubled. */
import { startDevServer } from '../src/server/dev-server.ts';
import { startCuttingProxy } from './cutting-proxy.ts';
import { expect, test } from './fixtures.ts';

test('connections cut at random while 300 POSTs go through the gateway: exactly 300 new nodes, all 201', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const server = await startDevServer({ port: 0, hub: { requestTimeoutMs: 60_000, expireMs: 30_000 } });
  const proxy = await startCuttingProxy(new URL(server.url), { seed: 7, chunkCut: 0.1, timedCut: 0.5 });
  try {
    // The page talks to the hub through the proxy; the callers talk to the gateway directly.
    await page.route('**/faults.html', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body:
          '<!DOCTYPE html><html><head><script src="/ptth/client.js" data-connect="false"></script></head>' +
          '<body><ul id="list"></ul><script>ptth.connect({ minBackoffMs: 20, maxBackoffMs: 200 });</script></body></html>',
      }),
    );
    await page.goto(`${proxy.url}faults.html`);
    await expect.poll(() => server.hub.clients().length, { timeout: 20_000 }).toBeGreaterThan(0);
    const id = await page.evaluate(async () => {
      const ptth = (window as unknown as { ptth: { connection: { id: string | null; state: string } } }).ptth;
      while (ptth.connection.state !== 'open') await new Promise((resolve) => setTimeout(resolve, 10));
      return ptth.connection.id as string;
    });
    const total = 300;
    let next = 0;
    const statuses: number[] = [];
    const worker = async () => {
      for (let n = next++; n < total; n = next++) {
        const response = await fetch(`${server.url}ptth/clients/${id}//ul[@id='list']`, {
          method: 'POST',
          headers: { 'content-type': 'text/html' },
          body: `<li data-n="${n}">${n}</li>`,
        });
        statuses.push(response.status);
        await response.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    proxy.calm();
    expect(proxy.cuts()).toBeGreaterThan(10);
    expect(statuses.filter((status) => status !== 201)).toEqual([]);
    const numbers = await page.evaluate(() =>
      Array.from(document.querySelectorAll('#list li'), (li) => Number(li.getAttribute('data-n'))),
    );
    expect(numbers.length).toBe(total);
    expect(new Set(numbers).size).toBe(total);
  } finally {
    await proxy.close();
    await server.close();
  }
});
