import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { utf8 } from '../protocol/bytes.ts';
import { REVERSE_ORIGIN } from '../protocol/fetch-convert.ts';
import type { ReverseRequest, ReverseResponse } from '../protocol/message.ts';
import { heldText } from '../protocol/text-response.ts';
import { domResource } from './dom-resource.ts';
import { SERVE_MESSAGE, type ServesMessages } from './serve-request.ts';
import { morph, testDocument } from './test-dom.ts';

const PAGE = `<!DOCTYPE html><html><head><title>T</title></head><body>
<h1 class="big">Hello</h1>
<ul id="list"><li>one</li><li>two</li></ul>
<form><input id="name" value="a"><textarea id="note">n</textarea></form>
</body></html>`;

function setup(page = PAGE, extra: Partial<Parameters<typeof domResource>[0]> = {}) {
  const document = testDocument(page);
  const handler = domResource({ document, morph, ...extra });
  const call = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    handler(new Request(REVERSE_ORIGIN + path, { method, body: body ?? null, headers }));
  return { document, call };
}

const html = { 'content-type': 'text/html' };

describe('DOM resource handler', () => {
  it('GET of an element returns its markup as text/html', async () => {
    const { call } = setup();
    const response = await call('GET', '/html/body/h1');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(await response.text(), '<h1 class="big">Hello</h1>');
    assert.equal(response.headers.get('ptth-match-count'), '1');
  });

  it('GET of several matches returns all of them in document order with their count', async () => {
    const { call } = setup();
    const response = await call('GET', '//li');
    assert.equal(await response.text(), '<li>one</li>\n<li>two</li>');
    assert.equal(response.headers.get('ptth-match-count'), '2');
  });

  const plain: Array<[string, string]> = [
    ['/html/body/h1/@class', 'big'],
    ['/html/body/h1/text()', 'Hello'],
    ['/count(//li)', '2'],
    ['/string(//li[2])', 'two'],
    ['/boolean(//h1)', 'true'],
    ['/1+1', '2'],
    ["/concat('a',%20'b')", 'ab'],
  ];
  for (const [path, expected] of plain) {
    it(`GET ${path} is text/plain "${expected}"`, async () => {
      const { call } = setup();
      const response = await call('GET', path);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal(await response.text(), expected);
    });
  }

  it('GET decodes the path once, as a whole, so quotes and slashes in literals survive', async () => {
    const { call } = setup();
    const response = await call('GET', `/${encodeURIComponent('string(//li[. = "two"])')}`);
    assert.equal(await response.text(), 'two');
    const slash = await call('GET', `/${encodeURIComponent("concat('a/b', '%')")}`);
    assert.equal(await slash.text(), 'a/b%');
  });

  it('GET of / returns the whole document', async () => {
    const { call } = setup();
    const body = await (await call('GET', '/')).text();
    assert.match(body, /^<!DOCTYPE html>\n<html>/);
  });

  it('HEAD has the headers of GET and no body', async () => {
    const { call } = setup();
    const response = await call('HEAD', '/html/body/h1');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-length'), String('<h1 class="big">Hello</h1>'.length));
    assert.equal(await response.text(), '');
  });

  it('GET on a missing node is 404 problem JSON naming the expression', async () => {
    const { call } = setup();
    const response = await call('GET', '/html/body/h2');
    assert.equal(response.status, 404);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
    const problem = await response.json();
    assert.equal(problem.status, 404);
    assert.match(problem.detail, /"\/html\/body\/h2"/);
  });

  for (const path of ['//li[', '/html/body/h1]]', '/count(//li']) {
    it(`an expression that does not parse (${path}) is 400 naming it`, async () => {
      const { call } = setup();
      const response = await call('GET', encodeURI(path));
      assert.equal(response.status, 400);
      const problem = await response.json();
      assert.ok(problem.detail.includes(JSON.stringify(problem.expression)), problem.detail);
    });
  }

  it('a bad percent-encoding is 400', async () => {
    const { call } = setup();
    assert.equal((await call('GET', '/html/%zz')).status, 400);
  });

  it('PUT replaces the element by morphing and answers with the new markup', async () => {
    const { call, document } = setup();
    const h1 = document.querySelector('h1');
    const response = await call('PUT', '/html/body/h1', '<h1 class="small">Bye</h1>', html);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), '<h1 class="small">Bye</h1>');
    assert.equal(document.querySelector('h1'), h1, 'the same element was morphed, not replaced');
    assert.equal(document.querySelector('h1')?.textContent, 'Bye');
  });

  it('PUT with a different tag replaces the node when the URI still selects it', async () => {
    const { call, document } = setup();
    const response = await call('PUT', '/html/body/*[1]', '<h2>Other</h2>', html);
    assert.equal(response.status, 200);
    assert.equal(document.querySelector('h1'), null);
    assert.equal(document.querySelector('h2')?.textContent, 'Other');
  });

  it('PUT that would make its own URI select something else is 409 and leaves the page as it was', async () => {
    const { call, document } = setup();
    const before = document.body.innerHTML;
    const attempts: Array<[string, string]> = [
      ['/html/body/h1', '<h2>Other</h2>'],
      ["//h1[@class='big']", '<h1 class="small">x</h1>'],
    ];
    for (const [path, body] of attempts) {
      const response = await call('PUT', path, body, html);
      assert.equal(response.status, 409, path);
      assert.match((await response.json()).detail, /nothing was changed/);
      assert.equal(document.body.innerHTML, before);
    }
    const text = await call('PUT', "//li[. = 'one']/text()", 'uno');
    assert.equal(text.status, 409);
    assert.equal(document.body.innerHTML, before);
  });

  it('PUT keeps what the user typed when the value attribute does not change', async () => {
    const { call, document } = setup();
    const input = document.querySelector<HTMLInputElement>('#name');
    if (!input) throw new Error('no input');
    input.value = 'typed';
    await call(
      'PUT',
      '//form',
      '<form><input id="name" value="a" class="x"><textarea id="note">n</textarea></form>',
      html,
    );
    assert.equal(input.value, 'typed');
    assert.equal(input.className, 'x');
    await call('PUT', '//form', '<form><input id="name" value="b"><textarea id="note">n</textarea></form>', html);
    assert.equal(input.value, 'b', 'a changed value attribute is the server setting the value');
  });

  const badBodies: Array<[string, string]> = [
    ['no element', 'just text'],
    ['two elements', '<h1>a</h1><h1>b</h1>'],
    ['an element and text', '<h1>a</h1> tail'],
    ['nothing', ''],
  ];
  for (const [what, body] of badBodies) {
    it(`PUT with ${what} is 422 and changes nothing`, async () => {
      const { call, document } = setup();
      const before = document.body.innerHTML;
      const response = await call('PUT', '/html/body/h1', body, html);
      assert.equal(response.status, 422);
      assert.equal(document.body.innerHTML, before);
    });
  }

  for (const type of ['application/json', 'text/plain', 'application/x-www-form-urlencoded']) {
    it(`PUT of an element with Content-Type ${type} is 415 and changes nothing`, async () => {
      const { call, document } = setup();
      const response = await call('PUT', '/html/body/h1', '<h1>x</h1>', { 'content-type': type });
      assert.equal(response.status, 415);
      assert.equal(document.querySelector('h1')?.textContent, 'Hello');
    });
  }

  it('PUT on the document is 405 and its Allow does not offer DELETE', async () => {
    const { call } = setup();
    const response = await call('PUT', '/', '<html></html>', html);
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'GET, HEAD, OPTIONS');
  });

  it('PUT on a missing node is 404 and on several nodes 409 with the count', async () => {
    const { call } = setup();
    assert.equal((await call('PUT', '//h3', '<h3>x</h3>', html)).status, 404);
    const conflict = await call('PUT', '//li', '<li>x</li>', html);
    assert.equal(conflict.status, 409);
    assert.equal((await conflict.json()).count, 2);
  });

  it('PUT on an attribute or a text node sets its value', async () => {
    const { call, document } = setup();
    assert.equal((await call('PUT', '/html/body/h1/@class', 'huge')).status, 200);
    assert.equal(document.querySelector('h1')?.className, 'huge');
    assert.equal((await call('PUT', '/html/body/h1/text()', 'Hi <b>')).status, 200);
    assert.equal(document.querySelector('h1')?.textContent, 'Hi <b>');
  });

  it('PUT on a number result is 405 with Allow', async () => {
    const { call } = setup();
    const response = await call('PUT', '/count(//li)', '3');
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'GET, HEAD, OPTIONS');
  });

  it('PUT of a body element keeps the <body> tag', async () => {
    const { call, document } = setup();
    const response = await call('PUT', '/html/body', '<body class="b"><p>only</p></body>', html);
    assert.equal(response.status, 200);
    assert.equal(document.body.className, 'b');
    assert.equal(document.body.innerHTML, '<p>only</p>');
  });

  it('DELETE removes an element, an attribute or a text node (204)', async () => {
    const { call, document } = setup();
    assert.equal((await call('DELETE', '//li[1]')).status, 204);
    assert.equal(document.querySelectorAll('li').length, 1);
    assert.equal((await call('DELETE', '/html/body/h1/@class')).status, 204);
    assert.equal(document.querySelector('h1')?.hasAttribute('class'), false);
    assert.equal((await call('DELETE', '/html/body/h1/text()')).status, 204);
    assert.equal(document.querySelector('h1')?.textContent, '');
    assert.equal((await call('DELETE', '//li[5]')).status, 404);
  });

  it('DELETE of the document element is refused', async () => {
    const { call } = setup();
    assert.equal((await call('DELETE', '/html')).status, 409);
  });

  it('POST appends the element as last child: 201 with a Location that GETs it back', async () => {
    const { call } = setup();
    const response = await call('POST', '//ul', '<li class="new">three</li>', html);
    assert.equal(response.status, 201);
    const location = response.headers.get('location') ?? '';
    assert.equal(location, '/html/body/ul/li[3]');
    assert.equal(await response.text(), '<li class="new">three</li>');
    const again = await call('GET', location);
    assert.equal(await again.text(), '<li class="new">three</li>');
  });

  it('POST on an attribute is 405', async () => {
    const { call } = setup();
    assert.equal((await call('POST', '/html/body/h1/@class', '<b>x</b>', html)).status, 405);
  });

  it('OPTIONS lists the methods and an unknown method is 405 with Allow', async () => {
    const { call } = setup();
    const options = await call('OPTIONS', '/html/body/h1');
    assert.equal(options.status, 204);
    assert.equal(options.headers.get('allow'), 'GET, HEAD, PUT, POST, PATCH, DELETE, OPTIONS');
    const brew = await call('BREW', '/html');
    assert.equal(brew.status, 405);
    assert.equal(brew.headers.get('allow'), 'GET, HEAD, PUT, POST, PATCH, DELETE, OPTIONS');
  });

  it('runs requests in the order they came: a GET right after a PUT sees the PUT', async () => {
    const { call } = setup();
    const put = call('PUT', '//li[1]', '<li>NEW</li>', html);
    const get = call('GET', '//li[1]');
    const del = call('DELETE', '//li[1]');
    const after = call('GET', 'count(//li)'.replace(/^/, '/'));
    assert.equal((await put).status, 200);
    assert.equal(await (await get).text(), '<li>NEW</li>');
    assert.equal((await del).status, 204);
    assert.equal(await (await after).text(), '1');
  });

  it('answers a reverse request at once, with no promise, when none is waiting before it', () => {
    const document = testDocument(PAGE);
    const handler = domResource({ document, morph }) as unknown as ServesMessages;
    const message: ReverseRequest = {
      id: 'r1',
      method: 'GET',
      path: '/html/body/h1',
      query: '',
      headers: [],
      body: null,
    };
    const answer = handler[SERVE_MESSAGE](message);
    assert.ok(!(answer instanceof Promise), 'a small GET is answered without a promise');
    assert.equal(answer.status, 200);
    assert.equal(heldText(answer), '<h1 class="big">Hello</h1>');
  });

  it('a request made during a write (from a morph hook) waits for the write to end', async () => {
    const document = testDocument(PAGE);
    const during: (ReverseResponse | Promise<ReverseResponse>)[] = [];
    const holder: { handler?: ServesMessages } = {};
    const message = (id: string, method: string, body: string | null = null): ReverseRequest => ({
      id,
      method,
      path: '/html/body/h1',
      query: '',
      headers: body === null ? [] : [['content-type', 'text/html']],
      body: body === null ? null : utf8(body),
    });
    const handler = domResource({
      document,
      morph,
      onBeforeElUpdated: () => {
        if (during.length === 0) during.push(holder.handler?.[SERVE_MESSAGE](message('r2', 'GET')) as ReverseResponse);
        return true;
      },
    }) as unknown as ServesMessages;
    holder.handler = handler;
    const put = handler[SERVE_MESSAGE](message('r1', 'PUT', '<h1 class="big">Bye</h1>'));
    assert.ok(!(put instanceof Promise), 'the write itself ran at once');
    assert.equal(put.status, 200);
    const get = during[0];
    assert.ok(get instanceof Promise, 'the request made during the write waited its turn');
    assert.equal(heldText(await get), '<h1 class="big">Bye</h1>');
  });

  it('a reverse request behind one that waits (the sanitizer loading) waits its turn and sees its write', async () => {
    const document = testDocument(PAGE);
    let loaded: () => void = () => {};
    const loading = new Promise<void>((resolve) => {
      loaded = resolve;
    });
    const sanitize = { load: () => loading.then(() => (_container: Element) => {}) };
    const handler = domResource({ document, morph, sanitize }) as unknown as ServesMessages;
    const message = (id: string, method: string, path: string, body: string | null = null): ReverseRequest => ({
      id,
      method,
      path,
      query: '',
      headers: body === null ? [] : [['content-type', 'text/html']],
      body: body === null ? null : utf8(body),
    });
    const put = handler[SERVE_MESSAGE](message('r1', 'PUT', '/html/body/h1', '<h1 class="big">Bye</h1>'));
    const get = handler[SERVE_MESSAGE](message('r2', 'GET', '/html/body/h1'));
    assert.ok(put instanceof Promise && get instanceof Promise, 'both wait for the sanitizer');
    loaded();
    assert.equal((await put).status, 200);
    assert.equal(heldText(await get), '<h1 class="big">Bye</h1>');
    // The queue is empty again: the next GET is answered at once.
    const next = handler[SERVE_MESSAGE](message('r3', 'GET', '/html/body/h1'));
    assert.ok(!(next instanceof Promise));
  });

  it('POST into an SVG element parses the fragment as SVG', async () => {
    const { call, document } = setup('<!DOCTYPE html><html><body><svg id="s"></svg></body></html>');
    const response = await call('POST', "//*[@id='s']", '<circle r="5"/>', html);
    assert.equal(response.status, 201);
    const circle = document.querySelector('svg')?.firstElementChild;
    assert.equal(circle?.namespaceURI, 'http://www.w3.org/2000/svg');
    assert.equal(circle?.localName, 'circle');
  });

  it('a user onBeforeElUpdated hook that returns false keeps the element as it was', async () => {
    const { call, document } = setup(PAGE, { onBeforeElUpdated: (fromEl) => fromEl.id !== 'list' });
    await call('PUT', '/html/body/ul', '<ul id="list"><li>replaced</li></ul>', html);
    assert.equal(document.querySelectorAll('li').length, 2);
    await call('PUT', '/html/body/h1', '<h1 class="big">Changed</h1>', html);
    assert.equal(document.querySelector('h1')?.textContent, 'Changed');
  });

  it('data-ptth-ignore keeps a subtree as it is, while the rest of the element is morphed', async () => {
    const page =
      '<!DOCTYPE html><html><body><div id="w"><p>server</p><div data-ptth-ignore><span>client</span></div></div></body></html>';
    const { call, document } = setup(page);
    const response = await call(
      'PUT',
      "//div[@id='w']",
      '<div id="w"><p>new</p><div data-ptth-ignore><span>x</span></div></div>',
      html,
    );
    assert.equal(response.status, 200);
    assert.equal(document.querySelector('p')?.textContent, 'new');
    assert.equal(document.querySelector('span')?.textContent, 'client');
  });

  it('children keyed by id or data-ptth-key are moved, not rebuilt', async () => {
    const page =
      '<!DOCTYPE html><html><body><ul><li data-ptth-key="a">A</li><li data-ptth-key="b">B</li><li id="c">C</li></ul></body></html>';
    const { call, document } = setup(page);
    const [a, b, c] = Array.from(document.querySelectorAll('li'));
    const response = await call(
      'PUT',
      '//ul',
      '<ul><li id="c">C</li><li data-ptth-key="b">B</li><li data-ptth-key="a">A</li></ul>',
      html,
    );
    assert.equal(response.status, 200);
    assert.deepEqual(Array.from(document.querySelectorAll('li')), [c, b, a]);
  });

  it('GET shows form controls as the user filled them, but never a typed password', async () => {
    const page =
      '<!DOCTYPE html><html><body><form><input id="t" value="a"><input id="p" type="password" value="">' +
      '<input id="c" type="checkbox"><textarea id="x">old</textarea>' +
      '<select id="s"><option>1</option><option>2</option></select></form></body></html>';
    const { call, document } = setup(page);
    (document.getElementById('t') as HTMLInputElement).value = 'typed';
    (document.getElementById('p') as HTMLInputElement).value = 'secret';
    (document.getElementById('c') as HTMLInputElement).checked = true;
    (document.getElementById('x') as HTMLTextAreaElement).value = 'new';
    (document.getElementById('s') as HTMLSelectElement).selectedIndex = 1;
    const body = await (await call('GET', '//form')).text();
    assert.match(body, /<input id="t" value="typed">/);
    assert.match(body, /<input id="p" type="password" value="">/);
    assert.match(body, /<input id="c" type="checkbox" checked="">/);
    assert.match(body, /<textarea id="x">new<\/textarea>/);
    assert.match(body, /<option>1<\/option><option selected="">2<\/option>/);
    assert.doesNotMatch(body, /secret/);
    assert.equal(document.getElementById('t')?.getAttribute('value'), 'a', 'the live page is not changed');
  });

  it('typed text in a textarea and a chosen option survive any number of re-renders of the same form', async () => {
    const page =
      '<!DOCTYPE html><html><body><form><textarea id="x">n</textarea>' +
      '<select id="s"><option>1</option><option>2</option></select></form></body></html>';
    const { call, document } = setup(page);
    (document.getElementById('x') as HTMLTextAreaElement).value = 'typed';
    (document.getElementById('s') as HTMLSelectElement).selectedIndex = 1;
    const form =
      '<form><textarea id="x">n</textarea><select id="s"><option>1</option><option>2</option></select></form>';
    for (let render = 0; render < 3; render++) {
      assert.equal((await call('PUT', '//form', form, html)).status, 200);
      assert.equal((document.getElementById('x') as HTMLTextAreaElement).value, 'typed', `render ${render}`);
      assert.equal((document.getElementById('s') as HTMLSelectElement).selectedIndex, 1, `render ${render}`);
    }
    const changed =
      '<form><textarea id="x">server</textarea><select id="s"><option>1</option><option selected>2</option></select></form>';
    await call('PUT', '//form', changed, html);
    assert.equal((document.getElementById('x') as HTMLTextAreaElement).value, 'server');
  });

  it('a password field whose type the server changes loses what was typed', async () => {
    const page = '<!DOCTYPE html><html><body><form><input id="p" type="password"></form></body></html>';
    const { call, document } = setup(page);
    (document.getElementById('p') as HTMLInputElement).value = 'secret';
    await call('PUT', '//form', '<form><input id="p" type="text"></form>', html);
    const body = await (await call('GET', '//form')).text();
    assert.doesNotMatch(body, /secret/);
  });

  it('a typed password stays private even after a write removes the field type', async () => {
    const page = '<!DOCTYPE html><html><body><form><input id="p" type="password"></form></body></html>';
    const { call, document } = setup(page);
    (document.getElementById('p') as HTMLInputElement).value = 'secret';
    assert.equal((await call('DELETE', "//input[@id='p']/@type")).status, 204);
    assert.doesNotMatch(await (await call('GET', '//form')).text(), /secret/);
  });

  it('a body is parsed inertly: nothing of a refused body enters the page document', async () => {
    const { parseFragment } = await import('./html-fragment.ts');
    const { document } = setup();
    const nodes = parseFragment(document, '<img src="x" onerror="window.hit = 1"><img src="y">');
    assert.equal(nodes.length, 2);
    for (const node of nodes) assert.notEqual(node.ownerDocument, document);
  });
});
