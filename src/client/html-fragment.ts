/**
 * Parsing request bodies into DOM nodes, inertly (a `<template>` never runs scripts), and the
 * "exactly one element" rule of PUT and POST.
 */
import { HttpError } from '../protocol/http-error.ts';
import { dropScriptAttributes, type Sanitizer, sanitizeNodes } from './sanitize.ts';

const DOCUMENT_LEVEL = /^\s*(?:<!--[\s\S]*?-->\s*)*<(html|head|body)[\s>/]/i;

const FOREIGN: Record<string, string> = {
  'http://www.w3.org/2000/svg': 'svg',
  'http://www.w3.org/1998/Math/MathML': 'math',
};

/**
 * Parses an HTML fragment into the nodes it contains. Inside an SVG or MathML `context` the
 * fragment is parsed as that markup, so `<circle>` becomes an SVG circle, not an unknown HTML tag.
 */
export function parseFragment(
  document: Document,
  html: string,
  context: Element | null = null,
  sanitize: Sanitizer | null = null,
): Node[] {
  const level = DOCUMENT_LEVEL.exec(html);
  if (level) {
    // A template drops <html>, <head> and <body> tags: parse a whole document to keep them.
    const Parser = document.defaultView?.DOMParser ?? DOMParser;
    const parsed = new Parser().parseFromString(html, 'text/html');
    const name = (level[1] ?? '').toLowerCase();
    const element = name === 'html' ? parsed.documentElement : name === 'head' ? parsed.head : parsed.body;
    if (sanitize) {
      element.replaceChildren(...sanitizeNodes(sanitize, Array.from(element.childNodes), parsed));
      dropScriptAttributes(element);
    }
    // Left in the inert parsed document: adopted only when inserted, so a refused body never
    // loads images or runs their handlers.
    return [element];
  }
  const template = document.createElement('template');
  const foreign = context?.namespaceURI ? FOREIGN[context.namespaceURI] : undefined;
  template.innerHTML = foreign ? `<${foreign}>${html}</${foreign}>` : html;
  // The template's content lives in an inert document: nothing loads until a node is inserted.
  const content = template.content;
  if (foreign) {
    const wrapper = content.firstChild as Element | null;
    if (wrapper && sanitize) sanitize(wrapper);
    return Array.from(wrapper?.childNodes ?? []);
  }
  const nodes = Array.from(content.childNodes);
  return sanitize ? sanitizeNodes(sanitize, nodes, content.ownerDocument) : nodes;
}

/** The one element of a fragment's nodes; whitespace and comments around it are allowed, anything else is a 422. */
export function singleElement(nodes: readonly Node[]): Element {
  const elements = nodes.filter((node): node is Element => node.nodeType === 1);
  const strayText = nodes.some((node) => node.nodeType === 3 && (node.textContent ?? '').trim() !== '');
  if (elements.length !== 1 || strayText) {
    const found = `${elements.length} element(s)${strayText ? ' and text' : ''}`;
    throw new HttpError(422, `The body must be a fragment of exactly one element; it has ${found}`, {
      extensions: { elements: elements.length },
    });
  }
  return elements[0] as Element;
}
