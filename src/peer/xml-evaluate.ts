/**
 * XPath over an XML document in Node, with the `xpath` package (document.evaluate exists only in
 * browsers): the same contract as the browser's evaluator, so the DOM handler cannot tell them
 * apart. Names match case-sensitively, as XML wants; the prefixes of `XPATH_NAMESPACES` are bound.
 */
import * as xpath from 'xpath';
import { sortDocumentOrder, XPATH_NAMESPACES, type XPathEvaluator } from '../client/xpath-evaluate.ts';
import { HttpError } from '../protocol/http-error.ts';

/** An evaluator with the prefixes of `namespaces` bound; parse errors, unknown functions and unbound prefixes are a 400. */
export function xmlEvaluator(namespaces: Readonly<Record<string, string>> = XPATH_NAMESPACES): XPathEvaluator {
  const select = xpath.useNamespaces({ ...namespaces });
  return (expression, context) => {
    let result: xpath.SelectReturnType;
    try {
      // The xpath package refuses numbers written "5." (valid XPath 1.0).
      result = select(expression.replace(/(\d)\.(?![\d.])/g, '$1.0'), context);
    } catch (error) {
      const reason = error instanceof Error && error.message ? error.message : String(error);
      throw new HttpError(400, `XPath ${JSON.stringify(expression)} is not valid: ${reason}`, {
        extensions: { expression },
      });
    }
    if (Array.isArray(result)) return { type: 'nodes', nodes: sortDocumentOrder(result) };
    if (typeof result === 'number') return { type: 'number', value: result };
    if (typeof result === 'string') return { type: 'string', value: result };
    if (typeof result === 'boolean') return { type: 'boolean', value: result };
    return { type: 'nodes', nodes: result === null ? [] : [result] };
  };
}
