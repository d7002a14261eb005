/**
 * The gateway's checks before a request travels to a page, so a bad one fails fast, with a
 * better message and no round trip: XPath paths (only for pages that serve their DOM alone)
 * with the `xpath` package, and XML bodies with fast-xml-parser (line and column). A path's
 * verdict is remembered (a bounded LRU), since callers ask for the same few paths again and again.
 */
import { XMLValidator } from 'fast-xml-parser';
import * as xpath from 'xpath';
import { utf8Text } from '../protocol/bytes.ts';
import { HttpError } from '../protocol/http-error.ts';
import { remembered } from '../protocol/lru.ts';
import { expressionOf } from '../protocol/xpath-path.ts';

// xpath's parse() is public at run time but missing from its type declarations.
const parseXPath = (xpath as unknown as { parse(expression: string): unknown }).parse;

/** Body types that must be well-formed XML. */
const XML_TYPES = new Set(['application/xml-patch+xml', 'application/xhtml+xml', 'application/xml', 'text/xml']);

/** How many paths' verdicts the XPath check remembers. */
export const XPATH_CACHE_SIZE = 1_000;
/** Longer paths are checked every time: the cache stays under a few megabytes. */
const CACHEABLE_PATH = 2_048;

/** The verdict on a path: `null` when valid, else the expression and why it is not. */
type Verdict = { expression: string; reason: string } | null;

function judge(reversePath: string): Verdict {
  const expression = expressionOf(reversePath);
  try {
    // The xpath package refuses numbers written "5." (valid XPath 1.0); this check only parses.
    parseXPath(expression.replace(/(\d)\.(?![\d.])/g, '$1.0'));
    return null;
  } catch (error) {
    return { expression, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Verdicts by reverse path; a bad percent-encoding throws in `judge`, uncached: it is cheap to find again. */
const verdictOf = remembered(XPATH_CACHE_SIZE, judge, (reversePath: string) => reversePath.length <= CACHEABLE_PATH);

/** Throws a 400 when `reversePath` is not an XPath expression the page could evaluate. */
export function checkXPath(reversePath: string): void {
  const verdict = verdictOf(reversePath);
  if (verdict === null) return;
  const { expression, reason } = verdict;
  throw new HttpError(400, `XPath ${JSON.stringify(expression)} is not valid: ${reason}`, {
    extensions: { expression, checkedBy: 'gateway' },
  });
}

/** How many verdicts the XPath check holds now (for tests). */
export function cachedXPathVerdicts(): number {
  return verdictOf.size;
}

/** Throws a 400 with the line and column when an XML body is not well-formed. */
export function checkXmlBody(contentType: string | null, body: Uint8Array | null): void {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!XML_TYPES.has(type) || body === null) return;
  // XHTML bodies may be fragments (PATCH sends children): check them inside one root.
  const text = type === 'application/xhtml+xml' ? `<ptth-fragment>${utf8Text(body)}</ptth-fragment>` : utf8Text(body);
  const result = XMLValidator.validate(text);
  if (result === true) return;
  const { msg, line, col } = result.err;
  throw new HttpError(400, `The ${type} body is not well-formed XML: ${msg} (line ${line}, column ${col})`, {
    extensions: { line, column: col, checkedBy: 'gateway' },
  });
}
