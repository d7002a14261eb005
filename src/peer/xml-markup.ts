/**
 * The markup rules of an XML document for the DOM handler, over xmldom (a W3C DOM for Node):
 * nodes are written out with `XMLSerializer`, bodies must be well-formed XML (a 400 otherwise,
 * as for XML Patch) and are parsed in the namespace of where they go, and a watching GET looks
 * for changes every 100 ms (xmldom has no MutationObserver).
 */
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import type { DomMarkup } from '../client/dom-markup.ts';
import { HttpError } from '../protocol/http-error.ts';

/** How often a watching GET looks for a change. */
const WATCH_INTERVAL_MS = 100;

/** Parses XML strictly: warnings and errors are a 400 naming `what`. */
export function parseXml(text: string, what = 'body'): Document {
  const fail = (_level: string, message: string) => {
    const detail = message
      .replace(/\s+/g, ' ')
      .replace(/\[xmldom[^\]]*\]/g, '')
      .trim();
    throw new HttpError(400, `The ${what} is not well-formed XML: ${detail}`);
  };
  try {
    const document = new DOMParser({ onError: fail }).parseFromString(text, 'application/xml');
    if (!document.documentElement) throw new HttpError(400, `The ${what} has no root element`);
    return document as unknown as Document;
  } catch (error) {
    if (error instanceof HttpError) throw error;
    return fail('fatalError', error instanceof Error ? error.message : String(error));
  }
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

const serializer = new XMLSerializer();

/** The markup of XML documents (see the module comment). */
export const xmlMarkup: DomMarkup = {
  type: 'application/xml; charset=utf-8',
  // Markup sent as text/html is taken too (as XML), so the browser's clients work unchanged.
  bodyTypes: ['application/xml', 'text/xml', 'application/xhtml+xml', 'text/html'],
  defaultNamespace: null,
  serialize(node) {
    if (node.nodeType === 1 || node.nodeType === 9 || node.nodeType === 10) {
      return serializer.serializeToString(node as unknown as Parameters<XMLSerializer['serializeToString']>[0]);
    }
    // An attribute's value is its `value` (xmldom keeps `nodeValue` apart when `value` is set).
    return node.nodeType === 2 ? (node as Attr).value : (node.nodeValue ?? '');
  },
  parseFragment(document, text, context) {
    // The fragment is parsed inside a wrapper in the namespace of the place it goes to.
    const namespace = context === null ? null : context.namespaceURI;
    const declaration = namespace ? ` xmlns="${escapeAttribute(namespace)}"` : '';
    const body = text.replace(/^\s*<\?xml[^>]*\?>/, '');
    const wrapper = parseXml(`<ptth-fragment${declaration}>${body}</ptth-fragment>`, 'body').documentElement;
    return Array.from(wrapper.childNodes, (node) => document.importNode(node, true));
  },
  parseXml(_document, text, what) {
    return parseXml(text, `${what} body`).documentElement;
  },
  waitForChange(_document, current, initial, ms) {
    return new Promise((resolve) => {
      const finish = (changed: boolean) => {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(changed);
      };
      const poll = setInterval(() => {
        if (current() !== initial) finish(true);
      }, WATCH_INTERVAL_MS);
      const timer = setTimeout(() => finish(false), ms);
    });
  },
  beforeWrite() {},
};
