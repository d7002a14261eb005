import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpError } from '../protocol/http-error.ts';
import { pathOf } from '../protocol/paths.ts';
import { cachedXPathVerdicts, checkXmlBody, checkXPath, XPATH_CACHE_SIZE } from './precheck.ts';
import { INVALID_XPATHS, VALID_XPATHS } from './precheck-cases.ts';

describe('gateway pre-checks', () => {
  for (const expression of VALID_XPATHS) {
    it(`lets ${expression} through`, () => {
      checkXPath(pathOf(expression));
    });
  }
  for (const expression of INVALID_XPATHS) {
    it(`refuses ${expression} with a 400 naming it`, () => {
      assert.throws(
        () => checkXPath(pathOf(expression)),
        (error) =>
          error instanceof HttpError && error.status === 400 && error.message.includes(JSON.stringify(expression)),
      );
    });
  }

  it('gives the same verdict when a path comes again (its verdict is cached), and keeps the cache bounded', () => {
    for (let round = 0; round < 3; round++) {
      checkXPath(pathOf('//li[2]'));
      assert.throws(
        () => checkXPath(pathOf('//li[')),
        (error) => error instanceof HttpError && error.status === 400 && error.message.includes('"//li["'),
      );
    }
    for (let i = 0; i < XPATH_CACHE_SIZE + 50; i++) checkXPath(pathOf(`//li[${i}]`));
    assert.equal(cachedXPathVerdicts(), XPATH_CACHE_SIZE);
    // Evicted or not, a verdict stays the same.
    assert.throws(() => checkXPath(pathOf('//li[')), HttpError);
    checkXPath(pathOf('//li[2]'));
  });

  it('refuses XML that is not well-formed with its line and column', () => {
    const body = new TextEncoder().encode('<diff>\n  <add sel="."><li></diff>');
    assert.throws(
      () => checkXmlBody('application/xml-patch+xml', body),
      (error) =>
        error instanceof HttpError &&
        error.status === 400 &&
        /line 2, column \d+/.test(error.message) &&
        error.extensions.line === 2,
    );
  });

  it('lets well-formed XML through and ignores other types', () => {
    checkXmlBody(
      'application/xml-patch+xml; charset=utf-8',
      new TextEncoder().encode('<diff><remove sel="li"/></diff>'),
    );
    checkXmlBody('text/html', new TextEncoder().encode('<p>unclosed'));
    checkXmlBody('application/xhtml+xml', new TextEncoder().encode('<li>a</li><li>b</li> text'));
    checkXmlBody('application/xml-patch+xml', null);
  });
});
