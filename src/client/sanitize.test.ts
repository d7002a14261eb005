import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REVERSE_ORIGIN } from '../protocol/fetch-convert.ts';
import { pathOf } from '../protocol/paths.ts';
import { domPurifier } from './dom-purifier.ts';
import { domResource } from './dom-resource.ts';
import { checkAttribute } from './sanitize.ts';
import { morph, testDocument } from './test-dom.ts';

const PAGE = '<!DOCTYPE html><html><body><h1 id="t">T</h1><div id="app"><ul><li>a</li></ul></div></body></html>';
const html = { 'content-type': 'text/html' };

function setup(extra: Partial<Parameters<typeof domResource>[0]> = {}) {
  const document = testDocument(PAGE);
  const sanitize = domPurifier(document.defaultView as unknown as Window);
  const handler = domResource({ document, morph, sanitize, ...extra });
  const call = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    handler(new Request(REVERSE_ORIGIN + pathOf(path), { method, body: body ?? null, headers }));
  return { document, call };
}

describe('sanitizing written markup', () => {
  it('strips scripts, handlers and script URLs from PUT, POST and PATCH bodies', async () => {
    const { call, document } = setup();
    await call(
      'PUT',
      '//h1',
      '<h1 id="t" onclick="bad()">x<script>bad()</script><img src="x" onerror="bad()"></h1>',
      html,
    );
    await call(
      'POST',
      "//div[@id='app']",
      '<p><a href="javascript:bad()">l</a><iframe srcdoc="<script>bad()</script>"></iframe></p>',
      html,
    );
    await call('PATCH', '//ul', '<li onmouseover="bad()">b</li><svg><script>bad()</script></svg>', html);
    const body = document.body.innerHTML;
    for (const bad of ['onclick', '<script', 'onerror', 'javascript:', 'srcdoc', 'onmouseover']) {
      assert.ok(!body.includes(bad), `${bad} in ${body}`);
    }
    assert.match(body, /<img src="x">/);
  });

  it('refuses handler attributes and script URLs written as attributes, also through XML Patch', async () => {
    const { call, document } = setup();
    const attempts: Array<[string, string, string?, Record<string, string>?]> = [
      ['PUT', '//h1/@onclick', 'bad()'],
      ['PUT', '//h1/@id', 'ok'],
      ['PUT', "//div[@id='app']/@href", ' java\tscript:bad()'],
      [
        'PATCH',
        '//ul',
        '<diff><add sel="li" type="@onclick">bad()</add></diff>',
        { 'content-type': 'application/xml-patch+xml' },
      ],
    ];
    const statuses = [];
    for (const [method, path, body, headers] of attempts)
      statuses.push((await call(method, path, body, headers)).status);
    assert.deepEqual(statuses, [403, 200, 403, 403]);
    assert.equal(document.querySelector('[onclick]'), null);
  });

  it('checkAttribute allows ordinary attributes and URLs', () => {
    checkAttribute('href', 'https://example.com/');
    checkAttribute('data-on', 'x');
    checkAttribute('title', 'javascript: is a word');
    assert.throws(() => checkAttribute('ONLOAD', 'x'), /event handler/);
    assert.throws(() => checkAttribute('src', 'JaVaScRiPt:x'), /script URL/);
  });

  it('keeps ids and names that shadow document or form properties (id="title", name="name")', async () => {
    const { call, document } = setup();
    await call(
      'PUT',
      "//div[@id='app']",
      '<div id="app"><form><input id="name" name="name"></form><p id="title">t</p></div>',
      html,
    );
    assert.ok(document.querySelector('input#name[name="name"]'));
    assert.ok(document.querySelector('p#title'));
  });

  it('a lazy sanitizer is loaded at the first write, not for reads; a failed load is a 503 and is tried again', async () => {
    const document = testDocument(PAGE);
    let loads = 0;
    let fail = true;
    const sanitize = {
      load: async () => {
        loads++;
        if (fail) throw new Error('offline');
        return domPurifier(document.defaultView as unknown as Window);
      },
    };
    const handler = domResource({ document, morph, sanitize });
    const call = (method: string, path: string, body?: string) =>
      handler(new Request(REVERSE_ORIGIN + pathOf(path), { method, body: body ?? null, headers: html }));
    assert.equal((await call('GET', '//h1')).status, 200);
    assert.equal(loads, 0);
    const refused = await call('PUT', '//h1', '<h1 id="t">x</h1>');
    assert.equal(refused.status, 503);
    assert.match(await refused.text(), /sanitizer could not be loaded.*offline/);
    fail = false;
    assert.equal((await call('PUT', '//h1', '<h1 id="t" onclick="bad()">x<script>bad()</script></h1>')).status, 200);
    assert.equal((await call('POST', "//div[@id='app']", '<p onclick="bad()">p</p>')).status, 201);
    assert.equal((await call('PUT', '//h1/@onclick', 'bad()')).status, 403);
    assert.equal(loads, 2);
    assert.equal(document.querySelector('h1')?.outerHTML, '<h1 id="t">x</h1>');
    assert.equal(document.querySelector('[onclick]'), null);
  });

  it('sanitize: false writes markup as sent', async () => {
    const { call, document } = setup({ sanitize: false });
    await call('PUT', '//h1', '<h1 id="t" onclick="x()">x</h1>', html);
    assert.equal(document.querySelector('h1')?.getAttribute('onclick'), 'x()');
  });
});

describe('scope and read-only pages', () => {
  it('serves only nodes inside the scope: 403 outside, for non-node results and for replacing the root', async () => {
    const document = testDocument(PAGE);
    const scope = document.getElementById('app') as Element;
    const handler = domResource({ document, morph, scope });
    const call = (method: string, path: string, body?: string) =>
      handler(new Request(REVERSE_ORIGIN + pathOf(path), { method, body: body ?? null, headers: html }));
    assert.equal((await call('GET', "//div[@id='app']/ul/li")).status, 200);
    assert.equal((await call('GET', '//h1')).status, 403);
    assert.equal((await call('GET', '//*')).status, 403);
    assert.equal((await call('GET', 'count(//li)')).status, 403);
    assert.equal((await call('PUT', '//h1/@title', 'x')).status, 403);
    assert.equal((await call('PUT', "//div[@id='app']", '<div id="app"></div>')).status, 403);
    assert.equal((await call('POST', "//div[@id='app']", '<p>in</p>')).status, 201);
    assert.equal((await call('PUT', "//div[@id='app']/@title", 'x')).status, 201);
  });

  it('a read-only page answers writes with 405 and Allow: GET, HEAD, OPTIONS', async () => {
    const document = testDocument(PAGE);
    const handler = domResource({ document, morph, methods: ['GET', 'HEAD', 'OPTIONS'] });
    const response = await handler(new Request(`${REVERSE_ORIGIN}/html/body/h1`, { method: 'DELETE' }));
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'GET, HEAD, OPTIONS');
    assert.equal((await handler(new Request(`${REVERSE_ORIGIN}/html/body/h1`))).status, 200);
    assert.ok(document.querySelector('h1'));
  });
});
