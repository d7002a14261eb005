import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headerList, pathAndQuery, REVERSE_ORIGIN } from '../protocol/fetch-convert.ts';
import { callOf, type PlainCall } from './hub-input.ts';

/** What `new Request(REVERSE_ORIGIN + path)` makes of a path: the parts a plain call must equal. */
function viaRequest(path: string) {
  return pathAndQuery(new Request(REVERSE_ORIGIN + path).url);
}

describe('callOf (what hub.fetch takes)', () => {
  it('reads a path exactly as a Request built on REVERSE_ORIGIN would, with no Request made', () => {
    const paths = [
      '/html/body/h1',
      "//h1[@id='title']",
      '//li[2]/text()',
      '/html?x=1&y=2',
      '/a b',
      '/a"b',
      '/a#frag',
      '/a<b>',
      '/a`b{c}',
      '/a\\b',
      '/a/./b',
      '/a/../b',
      '/a/%2e%2E/b',
      '/a/.hidden/b',
      '/a/..x',
      '/é/ü',
      "/q?it's",
      '/q?a b#c',
      '/q?x=`{}|^',
      '/%41%zz',
      '/a[1]|/b[2]',
      '//*[contains(., "x")]',
      '/a?',
      '//',
    ];
    for (const path of paths) {
      const call = callOf(path) as PlainCall;
      assert.ok(!(call instanceof Request), path);
      assert.deepEqual({ path: call.path, query: call.query }, viaRequest(path), path);
      assert.equal(call.method, 'GET');
      assert.deepEqual(call.headers, []);
    }
  });

  it('takes an absolute URL or a URL object by its path and query', () => {
    const url = `${REVERSE_ORIGIN}//h1?a=1#x`;
    for (const input of [url, new URL(url), 'http://elsewhere.test//h1?a=1']) {
      const call = callOf(input) as PlainCall;
      assert.deepEqual([call.path, call.query], ['//h1', 'a=1']);
    }
  });

  it('takes method and headers from init as a Request would (names lowercased, values checked)', () => {
    const call = callOf('/x', { method: 'DELETE', headers: { Accept: 'text/html', 'X-Two': 'b' } }) as PlainCall;
    assert.equal(call.method, 'DELETE');
    assert.deepEqual(call.headers, headerList(new Request(`${REVERSE_ORIGIN}/x`, { headers: call.headers }).headers));
    assert.deepEqual(call.headers, [
      ['accept', 'text/html'],
      ['x-two', 'b'],
    ]);
    assert.throws(() => callOf('/x', { headers: { 'bad name': 'x' } }), TypeError);
  });

  it('makes a Request for a body or an unusual method, normalized and checked as fetch does', () => {
    const put = callOf('/x', { method: 'PUT', body: '<p>x</p>', headers: { 'content-type': 'text/html' } });
    assert.ok(put instanceof Request);
    assert.equal(put.method, 'PUT');
    assert.equal(put.url, `${REVERSE_ORIGIN}/x`);
    const lower = callOf('/x', { method: 'get' });
    assert.ok(lower instanceof Request);
    assert.equal(lower.method, 'GET');
    assert.throws(() => callOf('/x', { method: 'CONNECT' }), TypeError);
    assert.throws(() => callOf('/x', { body: 'a GET has none' }), TypeError);
    assert.throws(() => callOf('not a url'), TypeError);
  });

  it('passes a Request on as it is, or as new Request(request, init) when init changes it', () => {
    const request = new Request(`${REVERSE_ORIGIN}/x`);
    assert.equal(callOf(request), request);
    const changed = callOf(request, { method: 'DELETE' });
    assert.ok(changed instanceof Request && changed !== request);
    assert.equal(changed.method, 'DELETE');
  });
});
