/**
 * What the DOM handler needs to know about the markup of its document: how nodes are written
 * out, how bodies become nodes, how changes are noticed. HTML (the page) is the default; an XML
 * document in Node (the PTTH peer, over a W3C DOM such as xmldom) brings its own, so the same
 * handler serves the same XPath URIs, methods and statuses on both.
 */
import { HttpError } from '../protocol/http-error.ts';
import { HTML_TYPES } from './dom-request.ts';
import { rememberSecrets, serializeNode } from './dom-serialize.ts';
import { waitForChange } from './dom-watch.ts';
import { parseFragment } from './html-fragment.ts';
import type { Sanitizer } from './sanitize.ts';

/** The markup rules of a document; see the module comment. */
export interface DomMarkup {
  /** The media type of serialized elements and documents, e.g. `text/html; charset=utf-8`. */
  readonly type: string;
  /** The body types PUT, POST and PATCH take as markup (lowercase, without parameters). */
  readonly bodyTypes: readonly string[];
  /** The namespace of new elements where no parent gives one (XHTML in HTML, none in XML). */
  readonly defaultNamespace: string | null;
  /** The markup of an element (with live form state in HTML), document or doctype; the text of other nodes. */
  serialize(node: Node): string;
  /** The nodes of a body written into `context` (nodes of `document`); a malformed body is a 400. */
  parseFragment(document: Document, text: string, context: Element | null, sanitize: Sanitizer | null): Node[];
  /** The root element of an XML document (an XML Patch); a malformed one is a 400. */
  parseXml(document: Document, text: string, what: string): Element;
  /** Waits up to `ms` for `current()` to differ from `initial`; resolves whether it did. */
  waitForChange(document: Document, current: () => string, initial: string, ms: number): Promise<boolean>;
  /** Called before every write (HTML notes its password fields, so a write cannot expose them). */
  beforeWrite(document: Document): void;
}

/** The XHTML namespace, where HTML elements live. */
export const XHTML_NAMESPACE = 'http://www.w3.org/1999/xhtml';

/** The markup of HTML documents: the browser's page, or a test DOM. */
export const htmlMarkup: DomMarkup = {
  type: 'text/html; charset=utf-8',
  bodyTypes: HTML_TYPES,
  defaultNamespace: XHTML_NAMESPACE,
  serialize: serializeNode,
  parseFragment,
  parseXml(document, text, what) {
    const Parser = document.defaultView?.DOMParser ?? DOMParser;
    const xml = new Parser().parseFromString(text, 'application/xml');
    const error = xml.getElementsByTagName('parsererror')[0];
    if (error || !xml.documentElement) {
      const detail = (error?.textContent ?? 'no root element').replace(/\s+/g, ' ').trim();
      throw new HttpError(400, `The ${what} body is not well-formed XML: ${detail}`);
    }
    return xml.documentElement;
  },
  waitForChange,
  beforeWrite: rememberSecrets,
};
