/**
 * The DOM handler's writes: PUT replaces an element (morphing it), a text or an attribute's
 * value, or creates an attribute; POST appends an element; PATCH edits an element's children
 * (HTML, or an RFC 5261 XML Patch); DELETE removes. Each checks its preconditions first; a PUT
 * after which its URI would select something else is undone and refused (409). Written markup
 * is sanitized when asked, by a sanitizer loaded before the first write when it is lazy.
 */
import { HttpError } from '../protocol/http-error.ts';
import { pathOf } from '../protocol/paths.ts';
import type { Answer } from './dom-answer.ts';
import { reply } from './dom-answer.ts';
import type { DomMarkup } from './dom-markup.ts';
import { morphOptions } from './dom-morph.ts';
import {
  allowForNode,
  type DomRequest,
  describeNode,
  mediaType,
  notAllowed,
  READ_ONLY_METHODS,
  requireType,
  setNodeValue,
  theOneNode,
} from './dom-request.ts';
import type { DomResourceOptions } from './dom-resource.ts';
import { xpathOf } from './dom-serialize.ts';
import { etagOf, preconditions } from './etag.ts';
import { singleElement } from './html-fragment.ts';
import { checkAttribute } from './sanitize.ts';
import { applyXmlPatch, XML_PATCH } from './xml-patch.ts';
import type { XPathEvaluator, XPathValue } from './xpath-evaluate.ts';

/** The methods that write markup, and so need the sanitizer. */
const WRITES = new Set(['PUT', 'POST', 'PATCH']);

const ATTRIBUTE_STEP = /^(.*)\/@([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)$/;

/**
 * Runs a write: `method` is PUT, POST, PATCH or DELETE, `value` what `expression` selects, `body`
 * the request's body as text.
 */
export type DomWrite = (
  request: DomRequest,
  method: string,
  expression: string,
  value: XPathValue,
  body: string,
) => Answer;

/** Loads a lazy sanitizer before the first write: every write that parses markup then has it. */
export type DomWriteReady = (request: DomRequest) => Promise<void> | undefined;

/**
 * The writes of one DOM handler, and what to await before each request; `inScope` says whether
 * a node is inside the handler's scope.
 */
export function domWrites(
  options: Pick<DomResourceOptions, 'document' | 'morph' | 'sanitize' | 'onBeforeElUpdated'>,
  markup: DomMarkup,
  evaluate: XPathEvaluator,
  inScope: (node: Node) => boolean,
): [DomWriteReady, DomWrite] {
  const { document, morph } = options;
  const serializeNode = markup.serialize;
  const sanitizing = Boolean(options.sanitize);
  const lazy = typeof options.sanitize === 'object' ? options.sanitize : null;
  let sanitize = typeof options.sanitize === 'function' ? options.sanitize : null;

  /** Refuses (409) and undoes a write after which the URI no longer selects what was written. */
  function keepsItsUri(expression: string, written: Node, undo: () => void): void {
    const value = evaluate(expression, document);
    const same =
      value.type === 'nodes' &&
      value.nodes.length === 1 &&
      (value.nodes[0] === written || serializeNode(value.nodes[0] as Node) === serializeNode(written));
    if (same) return;
    undo();
    const found = value.type === 'nodes' ? `${value.nodes.length} node(s)` : `a ${value.type}`;
    throw new HttpError(
      409,
      `PUT would make XPath ${JSON.stringify(expression)} select ${found} instead of what was written; nothing was changed`,
      { extensions: { expression } },
    );
  }

  /** The written node's representation; its ETag only when it is what was sent (RFC 9110 §9.3.4) or `sent` is null. */
  function written(node: Node, sent: string | null, status = 200, headers: Record<string, string> = {}): Answer {
    const body = serializeNode(node);
    const contentType = node.nodeType === 1 ? markup.type : 'text/plain; charset=utf-8';
    const validators: Record<string, string> = sent === null || sent === body ? { etag: etagOf(body) } : {};
    return reply(body, contentType, status, { ...validators, ...headers });
  }

  function createAttribute(request: DomRequest, expression: string, body: string): Answer | null {
    const step = ATTRIBUTE_STEP.exec(expression);
    if (!step) return null;
    const owner = evaluate(step[1] || '.', document);
    if (owner.type !== 'nodes' || owner.nodes.length !== 1 || owner.nodes[0]?.nodeType !== 1) return null;
    requireType(request, [], true);
    preconditions(request, null);
    const element = owner.nodes[0] as Element;
    const name = step[2] as string;
    if (!inScope(element)) throw new HttpError(403, `XPath ${JSON.stringify(expression)} is outside the page's scope`);
    if (sanitizing) checkAttribute(name, body);
    element.setAttribute(name, body);
    const attr = element.getAttributeNode(name) as Attr;
    keepsItsUri(expression, attr, () => element.removeAttribute(name));
    return written(attr, body, 201, { location: pathOf(xpathOf(attr)) });
  }

  function put(request: DomRequest, expression: string, value: XPathValue, body: string): Answer {
    if (value.type === 'nodes' && value.nodes.length === 0) {
      const created = createAttribute(request, expression, body);
      if (created) return created;
    }
    const node = theOneNode(value, expression, 'PUT');
    const current = () => etagOf(serializeNode(node));
    if (node.nodeType === 1) {
      requireType(request, markup.bodyTypes);
      preconditions(request, current);
      const replacement = singleElement(
        markup.parseFragment(document, body, (node as Element).parentElement, sanitize),
      );
      const before = node.cloneNode(true);
      const result = morph(node, replacement, morphOptions(options, node));
      keepsItsUri(expression, result, () => morph(result, before, morphOptions(options, result)));
      return written(result, body.trim());
    }
    if (node.nodeType === 2 || node.nodeType === 3 || node.nodeType === 4 || node.nodeType === 8) {
      requireType(request, [], true);
      preconditions(request, current);
      const old = node.nodeValue;
      if (sanitizing && node.nodeType === 2) checkAttribute((node as Attr).name, body);
      setNodeValue(node, body);
      keepsItsUri(expression, node, () => setNodeValue(node, old ?? ''));
      return written(node, body);
    }
    throw notAllowed('PUT', describeNode(node), allowForNode(node));
  }

  function post(request: DomRequest, node: Node, body: string): Answer {
    if (node.nodeType !== 1) throw notAllowed('POST', describeNode(node), allowForNode(node));
    requireType(request, markup.bodyTypes);
    preconditions(request, () => etagOf(serializeNode(node)));
    const child = singleElement(markup.parseFragment(document, body, node as Element, sanitize));
    node.appendChild(child);
    return written(child, null, 201, { location: pathOf(xpathOf(child)) });
  }

  function patch(request: DomRequest, node: Node, body: string): Answer {
    if (node.nodeType !== 1) throw notAllowed('PATCH', describeNode(node), allowForNode(node));
    requireType(request, [...markup.bodyTypes, XML_PATCH]);
    preconditions(request, () => etagOf(serializeNode(node)));
    const element = node as Element;
    const xmlPatch = mediaType(request) === XML_PATCH;
    const copy = element.cloneNode(xmlPatch) as Element;
    if (xmlPatch) applyXmlPatch({ document, markup, evaluate, sanitize }, copy, body);
    else for (const child of markup.parseFragment(document, body, element, sanitize)) copy.appendChild(child);
    // Text/html replaces only the children; an XML Patch may also change the element's attributes.
    morph(element, copy, morphOptions(options, element, !xmlPatch));
    return written(element, null);
  }

  function remove(request: DomRequest, node: Node): Answer {
    if (node.nodeType === 9) throw notAllowed('DELETE', 'the document', READ_ONLY_METHODS);
    if (node === document.documentElement) {
      const name = (node as Element).localName;
      throw new HttpError(409, `Refusing to DELETE the document element <${name}>; DELETE its children instead`);
    }
    preconditions(request, () => etagOf(serializeNode(node)));
    if (node.nodeType === 2) {
      const attr = node as Attr;
      attr.ownerElement?.removeAttributeNode(attr);
    } else node.parentNode?.removeChild(node);
    return { status: 204, headers: {}, body: null };
  }

  /** Loads the sanitizer before the first write; `undefined` (at once) when there is nothing to wait for. */
  function ready(request: DomRequest): Promise<void> | undefined {
    if (sanitize !== null || lazy === null || !WRITES.has(request.method.toUpperCase())) return undefined;
    // A promise of this realm whatever `load` gives (a thenable of another library, say).
    return Promise.resolve(lazy.load()).then(
      (loaded) => {
        sanitize = loaded;
      },
      (error) => {
        const detail = error instanceof Error ? error.message : String(error);
        throw new HttpError(503, `The sanitizer could not be loaded, so no markup is written: ${detail}`);
      },
    );
  }

  function write(request: DomRequest, method: string, expression: string, value: XPathValue, body: string): Answer {
    markup.beforeWrite(document);
    if (method === 'PUT') return put(request, expression, value, body);
    const node = theOneNode(value, expression, method);
    if (method === 'POST') return post(request, node, body);
    if (method === 'PATCH') return patch(request, node, body);
    return remove(request, node);
  }

  return [ready, write];
}
