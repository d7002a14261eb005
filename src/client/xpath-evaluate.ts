/**
 * XPath evaluation as a dependency of the DOM handler: the browser uses `document.evaluate`,
 * tests and other hosts can inject another evaluator with the same contract.
 */
import { HttpError } from '../protocol/http-error.ts';
import { remembered } from '../protocol/lru.ts';

/** The result of an XPath expression; node sets come in document order. */
export type XPathValue =
  | { type: 'nodes'; nodes: Node[] }
  | { type: 'number'; value: number }
  | { type: 'string'; value: string }
  | { type: 'boolean'; value: boolean };

/** Evaluates an expression with `context` as context node; throws a 400 `HttpError` when invalid. */
export type XPathEvaluator = (expression: string, context: Node) => XPathValue;

/** Namespace prefixes every expression may use, to reach SVG and MathML in HTML documents. */
export const XPATH_NAMESPACES: Readonly<Record<string, string>> = {
  html: 'http://www.w3.org/1999/xhtml',
  xhtml: 'http://www.w3.org/1999/xhtml',
  svg: 'http://www.w3.org/2000/svg',
  math: 'http://www.w3.org/1998/Math/MathML',
  xlink: 'http://www.w3.org/1999/xlink',
};

// XPathResult's constants, spelled out so this module also loads where XPathResult is not global.
const NUMBER = 1;
const STRING = 2;
const BOOLEAN = 3;
const ORDERED_SNAPSHOT = 7;

function inDocumentOrder(a: Node, b: Node): number {
  if (a === b) return 0;
  // DOCUMENT_POSITION_FOLLOWING = 4: b comes after a.
  return a.compareDocumentPosition(b) & 4 ? -1 : 1;
}

/** Orders a node list by document position (XPath node sets are unordered). */
export function sortDocumentOrder(nodes: Node[]): Node[] {
  return nodes.sort(inDocumentOrder);
}

/** How many compiled expressions an evaluator keeps: a page is asked for the same few paths again and again. */
export const COMPILED_EXPRESSIONS = 256;

/**
 * The `document.evaluate` evaluator of a document, with the prefixes of `XPATH_NAMESPACES`.
 * Expressions are compiled once (`createExpression`) and kept, least recently used out first:
 * parsing took half of each evaluation.
 */
export function documentEvaluator(document: Document): XPathEvaluator {
  const resolver = (prefix: string | null) => (prefix === null ? null : (XPATH_NAMESPACES[prefix] ?? null));
  const compile = remembered(COMPILED_EXPRESSIONS, (expression: string) =>
    document.createExpression(expression, resolver),
  );
  return (expression, context) => {
    // A node set is asked for as an ordered snapshot: the engine orders it (sorting here with
    // compareDocumentPosition is quadratic on long lists) and it survives DOM changes. Other
    // results make that throw, and are asked for again as they are.
    try {
      const snapshot = compile(expression).evaluate(context, ORDERED_SNAPSHOT, null);
      const nodes: Node[] = [];
      for (let i = 0; i < snapshot.snapshotLength; i++) nodes.push(snapshot.snapshotItem(i) as Node);
      return { type: 'nodes', nodes };
    } catch {
      // Not a node set, or not valid: the evaluation below tells which.
    }
    let result: XPathResult;
    try {
      result = document.evaluate(expression, context, resolver, 0, null);
    } catch (error) {
      const reason = error instanceof Error && error.message ? error.message : String(error);
      throw new HttpError(400, `XPath ${JSON.stringify(expression)} is not valid: ${reason}`, {
        extensions: { expression },
      });
    }
    switch (result.resultType) {
      case NUMBER:
        return { type: 'number', value: result.numberValue };
      case STRING:
        return { type: 'string', value: result.stringValue };
      case BOOLEAN:
        return { type: 'boolean', value: result.booleanValue };
      default: {
        // Iterators break when the DOM changes: take every node before anyone mutates.
        const nodes: Node[] = [];
        for (let node = result.iterateNext(); node !== null; node = result.iterateNext()) nodes.push(node);
        return { type: 'nodes', nodes: sortDocumentOrder(nodes) };
      }
    }
  };
}
