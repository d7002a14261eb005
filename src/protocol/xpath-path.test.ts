import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REVERSE_ORIGIN } from './fetch-convert.ts';
import { HttpError } from './http-error.ts';
import { pathOf } from './paths.ts';
import { decodePath, expressionOf } from './xpath-path.ts';

/** Asserts that `fn` throws a 400 `HttpError` whose message matches `message` and that names the raw path. */
function assertBadPath(fn: () => unknown, path: string, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof HttpError, `expected an HttpError, got ${String(error)}`);
    assert.equal(error.status, 400);
    assert.match(error.message, message);
    assert.deepEqual(error.extensions, { path });
    return true;
  });
}

describe('expressionOf', () => {
  const locationPaths = [
    '/',
    '/html/body/h1',
    '//li',
    '//li[2]',
    '/html/body/ul/li[@id="x"]',
    '/html/body/h1[count(//li) = 2]',
    '/text()',
    '/node()',
    '/comment()',
    "/processing-instruction('x')",
    '/text ()',
    '/node()[1]',
    '/svg:rect',
    '/child::html',
    '/child::node()',
    '/self::node()',
    '/descendant-or-self::li',
    '/attribute::id',
    '/@id',
    '/*',
    '/.',
    '/..',
    '/.//li',
    '/html | //li',
    '/count',
    '/div',
  ];
  for (const path of locationPaths) {
    it(`keeps the location path ${path} as it is`, () => {
      assert.equal(expressionOf(path), path);
    });
  }

  const expressions: Array<[string, string]> = [
    ['/count(//li)', 'count(//li)'],
    ['/string(//h1)', 'string(//h1)'],
    ['/string-length(//h1)', 'string-length(//h1)'],
    ['/true()', 'true()'],
    ['/last()', 'last()'],
    ['/svg:fn(1)', 'svg:fn(1)'],
    ['/(//li)[1]', '(//li)[1]'],
    ['/1+1', '1+1'],
    ['/42', '42'],
    ["/'x'", "'x'"],
    ['/"x"', '"x"'],
    ['/$v', '$v'],
    ['/-1', '-1'],
    ['/.5', '.5'],
  ];
  for (const [path, expression] of expressions) {
    it(`drops the leading "/" of ${path}, which is not a location path, giving ${expression}`, () => {
      assert.equal(expressionOf(path), expression);
    });
  }

  const encoded: Array<[string, string]> = [
    ['/%2Fli', '//li'],
    ['/%2F%2Fli', '///li'],
    ['/count(%2F%2Fli)', 'count(//li)'],
    ['/count(%2F%2Fli%5B1%5D)', 'count(//li[1])'],
    ['/%63ount(//li)', 'count(//li)'],
    ['/%27x%27', "'x'"],
    ['/string(%22a%20b%22)', 'string("a b")'],
    ['/concat%20(%27a%27)', "concat ('a')"],
    ['/%2E5', '.5'],
    ['/%24v', '$v'],
    ['/html/body/h1%5B1%5D', '/html/body/h1[1]'],
    ['/%252F', '/%2F'],
    ["/concat('%252F')", "concat('%2F')"],
    ['/%C3%A9', '/é'],
  ];
  for (const [path, expression] of encoded) {
    it(`percent-decodes ${path} once, as a whole, before reading it, giving ${expression}`, () => {
      assert.equal(expressionOf(path), expression);
    });
  }

  const badEncodings = ['/%', '/%2', '/%zz', '/count(%)', '/%E9', '/%C3', '/%ED%A0%80'];
  for (const path of badEncodings) {
    it(`rejects the bad percent-encoding ${path} with a 400 that names the path`, () => {
      assertBadPath(() => expressionOf(path), path, /has an invalid percent-encoding/);
      assertBadPath(() => decodePath(path), path, /has an invalid percent-encoding/);
    });
  }

  const relative = ['', 'html/body', 'count(//li)', '%20/html', ' /html'];
  for (const path of relative) {
    it(`rejects the path ${JSON.stringify(path)}, which does not begin with "/", with a 400`, () => {
      assertBadPath(() => expressionOf(path), path, /must begin with "\/"/);
    });
  }
});

describe('pathOf', () => {
  const paths: Array<[string, string]> = [
    ['/html/body/h1', '/html/body/h1'],
    ['//li[2]', '//li[2]'],
    ["/html/body/ul/li[@id='x']", "/html/body/ul/li[@id='x']"],
    ['count(//li)', '/count(//li)'],
    ['html/body', '/html/body'],
    ['//li/..', '//li%2F..'],
    ["//a[@href='/../x']", "//a[@href='%2F../x']"],
    ['//li/./b', '//li%2F./b'],
    ['//*[@*:a]', '//*[@*:a]'],
    ["//li[. = 'a b']", "//li[.%20=%20'a%20b']"],
    ['//li[@x="y"]', '//li[@x=%22y%22]'],
    ["//a[@href='?q#f']", "//a[@href='%3Fq%23f']"],
    ["//li[contains(., '%')]", "//li[contains(.,%20'%25')]"],
    ['//li[1] | //p', '//li[1]%20%7C%20//p'],
    ['//p[. < 2]', '//p[.%20%3C%202]'],
    ["//p[. = 'é']", "//p[.%20=%20'%C3%A9']"],
  ];
  for (const [expression, path] of paths) {
    it(`writes ${expression} as the path ${path}`, () => {
      assert.equal(pathOf(expression), path);
    });
  }

  // The path a handler sees is the pathname of a fetch Request URL, so round trips go through URL.
  const roundTrips: string[] = [
    '/html/body/ul/li[2]',
    '//li[@id="a b"]',
    "//a[@href='?q#f']",
    "//li[contains(., '%25')]",
    "//li[. = 'é ✓']",
    '/html/body/*[1]/@class',
    'count(//li)',
    '(//li)[1]',
    "concat('a/b', \"'\")",
    '1 + 1',
    '-1',
    '.5',
    '$v',
    '//li/..',
    "//a[@href='/../x\\y']",
    '/html/body/./h1',
  ];
  for (const expression of roundTrips) {
    it(`gives a path that a URL keeps and expressionOf reads back as ${expression}`, () => {
      const path = pathOf(expression);
      const url = new URL(REVERSE_ORIGIN + path);
      assert.equal(url.pathname, path);
      assert.equal(url.search, '');
      assert.equal(url.hash, '');
      assert.equal(expressionOf(url.pathname), expression);
    });
  }
});
