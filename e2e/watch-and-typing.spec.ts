/** Watching nodes with conditional GETs, and a user typing while the server re-renders the form. */
import { REVERSE_ORIGIN } from '../src/protocol/fetch-convert.ts';
import { pathOf } from '../src/protocol/paths.ts';
import { expect, test } from './fixtures.ts';

const form =
  '<form id="form" class="rendered"><label>Name <input id="name" name="name" value=""></label>' +
  '<label>Note <textarea id="note" name="note"></textarea></label></form>';

test('a watching GET answers when the user types, with what was typed', async ({ server, clientId, page }) => {
  const get = (headers: Record<string, string> = {}) =>
    server.hub.fetch(clientId, new Request(REVERSE_ORIGIN + pathOf("//input[@id='name']"), { headers }));
  const first = await get();
  const etag = first.headers.get('etag') ?? '';
  expect(await first.text()).toBe('<input id="name" name="name" value="">');
  const watching = get({ 'if-none-match': etag, prefer: 'wait=10' });
  // Typing only once the watch is set: the page runs requests in the order they came, so by the
  // time a GET sent after the watching one is answered, the watching one has compared its ETag
  // (else the first keystroke may come first, and the GET answers 200 at once, with no wait).
  expect(await (await get()).text()).toBe('<input id="name" name="name" value="">');
  await page.locator('#name').pressSequentially('hi');
  const changed = await watching;
  expect(changed.status).toBe(200);
  expect(changed.headers.get('preference-applied')).toBe('wait=10');
  expect(await changed.text()).toMatch(/^<input id="name" name="name" value="hi?">$/);
  expect(changed.headers.get('etag')).not.toBe(etag);
});

test('a watching GET with nothing changing answers 304 after the wait', async ({ reverse }) => {
  const first = await reverse('GET', '/html/body/header/h1');
  const etag = first.headers.get('etag') ?? '';
  const started = Date.now();
  const response = await reverse('GET', '/html/body/header/h1', undefined, { 'if-none-match': etag, prefer: 'wait=1' });
  expect(response.status).toBe(304);
  expect(Date.now() - started).toBeGreaterThanOrEqual(900);
});

test('a watching GET does not hold up other requests', async ({ reverse, page }) => {
  const etag = (await reverse('GET', '/html/body/header/h1')).headers.get('etag') ?? '';
  const watching = reverse('GET', '/html/body/header/h1', undefined, { 'if-none-match': etag, prefer: 'wait=10' });
  const put = await reverse('PUT', '/html/body/header/h1', '<h1 id="title">changed</h1>', {
    'content-type': 'text/html',
  });
  expect(put.status).toBe(200);
  const changed = await watching;
  expect(changed.status).toBe(200);
  expect(await changed.text()).toBe('<h1 id="title">changed</h1>');
  await expect(page.locator('h1')).toHaveText('changed');
});

test('a user typing while the server re-renders the form loses nothing and keeps focus', async ({ reverse, page }) => {
  const input = page.locator('#name');
  await input.click();
  const typing = input.pressSequentially('hello world', { delay: 25 });
  let renders = 0;
  const rendering = (async () => {
    for (let i = 0; i < 15; i++) {
      const response = await reverse('PUT', '//form', form, { 'content-type': 'text/html' });
      expect(response.status).toBe(200);
      renders++;
    }
  })();
  await Promise.all([typing, rendering]);
  expect(renders).toBe(15);
  await expect(page.locator('#form')).toHaveClass('rendered');
  await expect(input).toHaveValue('hello world');
  await expect(input).toBeFocused();
});

test('the caret and selection of the focused input survive a re-render of its form', async ({ reverse, page }) => {
  const input = page.locator('#name');
  await input.fill('abcdef');
  await input.evaluate((el: HTMLInputElement) => el.setSelectionRange(2, 4));
  expect((await reverse('PUT', '//form', form, { 'content-type': 'text/html' })).status).toBe(200);
  await expect(input).toBeFocused();
  expect(await input.evaluate((el: HTMLInputElement) => [el.value, el.selectionStart, el.selectionEnd])).toEqual([
    'abcdef',
    2,
    4,
  ]);
});
