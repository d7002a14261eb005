/**
 * Many tabs of one origin share one poll: HTTP/1.1 lets the browser hold six connections per
 * host, so ten tabs polling on their own would leave four waiting.
 */
import type { Page } from '@playwright/test';
import { REVERSE_ORIGIN } from '../src/protocol/fetch-convert.ts';
import { type DevServer, startDevServer } from '../src/server/dev-server.ts';
import { expect, openDemo, test } from './fixtures.ts';

type Win = { ptth: { connection: { id: string | null; leader: boolean } } };
const isLeader = (page: Page) => page.evaluate(() => (window as unknown as Win).ptth.connection.leader);

async function openTabs(page: Page, server: DevServer, count: number): Promise<{ tab: Page; id: string }[]> {
  const tabs = [{ tab: page, id: await openDemo(page, server) }];
  while (tabs.length < count) {
    const tab = await page.context().newPage();
    tabs.push({ tab, id: await openDemo(tab, server) });
  }
  return tabs;
}

async function timedTitle(server: DevServer, id: string): Promise<number> {
  const started = performance.now();
  const response = await server.hub.fetch(id, new Request(`${REVERSE_ORIGIN}/string(//h1)`));
  expect(await response.text()).toBe('Hello from ptth');
  return performance.now() - started;
}

test('ten tabs in one browser all answer within a second, over one shared poll', async ({ page, server }) => {
  // Opening ten pages takes Playwright a while on a busy 2-core machine; the answers are what is timed.
  test.setTimeout(90_000);
  const tabs = await openTabs(page, server, 10);
  const leaders = await Promise.all(tabs.map(({ tab }) => isLeader(tab)));
  expect(leaders.filter(Boolean)).toHaveLength(1);
  // One after another, so a stuck tab cannot hide behind the others' time.
  for (const { id } of tabs) expect(await timedTitle(server, id)).toBeLessThan(1_000);
  // And all at once, through the gateway as curl would.
  const started = performance.now();
  const answers = await Promise.all(
    tabs.map(({ id }) => fetch(`${server.url}ptth/clients/${id}/string(//h1)`).then((response) => response.text())),
  );
  expect(answers).toEqual(tabs.map(() => 'Hello from ptth'));
  expect(performance.now() - started).toBeLessThan(1_000);
});

test('when the leading tab closes, another takes the poll over and every tab still answers', async ({
  page,
  server,
}) => {
  const tabs = await openTabs(page, server, 4);
  const leaderIndex = (await Promise.all(tabs.map(({ tab }) => isLeader(tab)))).indexOf(true);
  const [leader] = tabs.splice(leaderIndex, 1);
  await leader?.tab.close();
  await expect
    .poll(async () => (await Promise.all(tabs.map(({ tab }) => isLeader(tab)))).filter(Boolean).length)
    .toBe(1);
  for (const { id } of tabs) expect(await timedTitle(server, id)).toBeLessThan(1_000);
  // The closed tab said goodbye; the hub forgot it.
  expect(server.hub.session(leader?.id ?? '')).toBeUndefined();
});

test('POSTs to a tab while the leading tab dies are each run once and each answered 201', async ({ page }) => {
  // The fixture's server expires a client after 1.5 s without a poll; a handover on a loaded
  // machine can take that long. This test is about exactly-once delivery, so it uses the default.
  const server = await startDevServer({ port: 0 });
  try {
    test.info().attach('expireMs', { body: String(server.hub.options.expireMs) });
    const tabs = await openTabs(page, server, 3);
    const leaderIndex = (await Promise.all(tabs.map(({ tab }) => isLeader(tab)))).indexOf(true);
    const [leader] = tabs.splice(leaderIndex, 1);
    const target = tabs[0];
    if (!leader || !target) throw new Error('three tabs expected');
    const post = (n: number) =>
      server.hub.fetch(
        target.id,
        new Request(`${REVERSE_ORIGIN}//ul[@id="todo"]`, {
          method: 'POST',
          headers: { 'content-type': 'text/html' },
          body: `<li class="tab-test">${n}</li>`,
        }),
      );
    const calls: Promise<Response>[] = [];
    for (let n = 0; n < 60; n++) {
      calls.push(post(n));
      // The leader crashes (no goodbye) in the middle of the stream.
      if (n === 30) await leader.tab.close({ runBeforeUnload: false });
    }
    const statuses = await Promise.all(calls.map((call) => call.then((response) => response.status)));
    expect(statuses).toEqual(statuses.map(() => 201));
    const texts = await target.tab.locator('li.tab-test').allTextContents();
    expect(texts.map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, n) => n));
  } finally {
    await server.close();
  }
});
