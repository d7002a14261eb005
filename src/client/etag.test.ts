import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { etagOf, ifMatch, noneMatchHits, parseTags } from './etag.ts';

describe('entity tags', () => {
  it('equal texts give equal strong tags, different texts different ones', () => {
    assert.equal(etagOf('<li>a</li>'), etagOf('<li>a</li>'));
    assert.notEqual(etagOf('<li>a</li>'), etagOf('<li>b</li>'));
    assert.notEqual(etagOf(''), etagOf(' '));
    assert.match(etagOf('x'), /^"[0-9a-f]{16}"$/);
  });

  it('parses lists, weak tags and *', () => {
    assert.deepEqual(parseTags('"a", W/"b" ,"c"'), ['"a"', 'W/"b"', '"c"']);
    assert.deepEqual(parseTags(' * '), ['*']);
  });

  const cases: Array<[string, string | null, boolean, boolean]> = [
    // header, current etag, If-Match passes, If-None-Match hits
    ['"a"', '"a"', true, true],
    ['"b", "a"', '"a"', true, true],
    ['W/"a"', '"a"', false, true],
    ['"b"', '"a"', false, false],
    ['*', '"a"', true, true],
    ['*', null, false, false],
    ['"a"', null, false, false],
  ];
  for (const [header, etag, match, noneMatch] of cases) {
    it(`${header} against ${etag}: If-Match ${match}, If-None-Match hit ${noneMatch}`, () => {
      assert.equal(ifMatch(header, etag), match);
      assert.equal(noneMatchHits(header, etag), noneMatch);
    });
  }
});
