/** Serializing XPath results for responses, and naming a node by an XPath that selects it. */
import type { XPathValue } from './xpath-evaluate.ts';
import { XPATH_NAMESPACES } from './xpath-evaluate.ts';

const XHTML = 'http://www.w3.org/1999/xhtml';

/** A serialized XPath result with its media type. */
export interface Serialized {
  body: string;
  contentType: string;
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function isMarkup(node: Node): boolean {
  return node.nodeType === 1 || node.nodeType === 9 || node.nodeType === 10;
}

/** The markup of an element, document or doctype; the text of any other node. */
export function serializeNode(node: Node): string {
  switch (node.nodeType) {
    case 1:
      return (node as Element).outerHTML;
    case 9: {
      const doc = node as Document;
      const doctype = doc.doctype ? `${serializeNode(doc.doctype)}\n` : '';
      return doctype + (doc.documentElement?.outerHTML ?? '');
    }
    case 10:
      return `<!DOCTYPE ${(node as DocumentType).name}>`;
    default:
      return node.nodeValue ?? '';
  }
}

/**
 * A result as a response body: markup as `text/html`, attribute and text nodes and non-node
 * values as `text/plain`; several nodes are joined with newlines, in document order.
 */
export function serializeValue(value: XPathValue): Serialized {
  if (value.type !== 'nodes') return { body: String(value.value), contentType: 'text/plain; charset=utf-8' };
  const markup = value.nodes.some(isMarkup);
  const parts = value.nodes.map((node) => {
    const text = serializeNode(node);
    return markup && !isMarkup(node) && node.nodeType !== 8 ? escapeText(text) : text;
  });
  return { body: parts.join('\n'), contentType: markup ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8' };
}

function stepName(element: Element): string {
  if (element.namespaceURI === XHTML) return element.localName;
  const prefix = Object.keys(XPATH_NAMESPACES).find((key) => XPATH_NAMESPACES[key] === element.namespaceURI);
  return prefix ? `${prefix}:${element.localName}` : `*[local-name()='${element.localName}']`;
}

function sameName(a: Element, b: Element): boolean {
  return a.localName === b.localName && a.namespaceURI === b.namespaceURI;
}

/** An absolute XPath that selects exactly this element, e.g. `/html/body/ul/li[4]`. */
export function xpathOf(element: Element): string {
  const steps: string[] = [];
  for (let node: Element | null = element; node !== null; node = node.parentElement) {
    const siblings = node.parentElement ? Array.from(node.parentElement.children) : [node];
    const same = siblings.filter((sibling) => sameName(sibling, node as Element));
    const step = stepName(node);
    steps.unshift(same.length > 1 ? `${step}[${same.indexOf(node) + 1}]` : step);
  }
  return `/${steps.join('/')}`;
}
