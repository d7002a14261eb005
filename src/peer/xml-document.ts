/**
 * The DOM resources of an XML document in a Node peer: the browser's DOM handler, unchanged,
 * over an xmldom document, with an XML morph, the `xpath` package and XML markup rules. The
 * same XPath URIs, methods and statuses work against a Node process as against a page.
 */
import { type DomResourceOptions, domResource, type Handler } from '../client/dom-resource.ts';
import { type ReversePeer, type ServeReverseOptions, serveReverse } from './serve-reverse.ts';
import { xmlEvaluator } from './xml-evaluate.ts';
import { parseXml, xmlMarkup } from './xml-markup.ts';
import { xmlMorph } from './xml-morph.ts';

/** Options of `xmlResource`: the document (or its text) and the DOM handler's own options. */
export interface XmlResourceOptions
  extends Omit<DomResourceOptions, 'document' | 'morph' | 'evaluate' | 'markup' | 'sanitize'> {
  /** The document served: an xmldom `Document` (see `parseXmlDocument`) or XML text. */
  document: Document | string;
}

/** Parses XML text into a document the peer can serve; a malformed one throws a 400 `HttpError`. */
export function parseXmlDocument(text: string): Document {
  return parseXml(text, 'document');
}

/** A fetch-shaped handler serving an XML document's nodes at XPath paths (see the module comment). */
export function xmlResource(options: XmlResourceOptions): Handler {
  const document = typeof options.document === 'string' ? parseXmlDocument(options.document) : options.document;
  return domResource({ ...options, document, morph: xmlMorph, evaluate: xmlEvaluator(), markup: xmlMarkup });
}

/** Options of `serveDocument`: where to dial, and the document. */
export interface ServeDocumentOptions
  extends Omit<ServeReverseOptions, 'handler' | 'server' | 'listener' | 'dom'>,
    XmlResourceOptions {}

/**
 * Serves an XML document to the hub at `url` over Reverse HTTP, as a page serves its DOM; the
 * hub is told so (`dom: true`), so the gateway checks XPath paths before they travel.
 */
export function serveDocument(options: ServeDocumentOptions): ReversePeer {
  return serveReverse({ ...options, handler: xmlResource(options), dom: true });
}
