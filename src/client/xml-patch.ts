/**
 * RFC 5261 XML Patch for `PATCH` with `application/xml-patch+xml`: `add` (with `pos` and
 * `type="@name"`), `replace` and `remove`, each with a `sel` evaluated relative to the target
 * element. The operations run on a copy, which is then morphed into the page: an error in any
 * operation leaves the page as it was.
 */
import { HttpError } from '../protocol/http-error.ts';
import type { DomMarkup } from './dom-markup.ts';
import { describeNode, setNodeValue } from './dom-request.ts';
import { checkAttribute, type Sanitizer, sanitizeNodes } from './sanitize.ts';
import type { XPathEvaluator } from './xpath-evaluate.ts';

/** The media type of an XML Patch document. */
export const XML_PATCH = 'application/xml-patch+xml';

/** An XML Name (the ASCII part of the production, plus any non-ASCII letter). */
const XML_NAME = /^[A-Za-z_:\u00C0-\uFFEF][\w.:\u00B7\u00C0-\uFFEF-]*$/;

/**
 * The content of an operation (its child nodes) rebuilt as nodes of `document`. Elements in no
 * namespace, or in the patch's own, take the namespace of where they go (HTML, or SVG/MathML
 * inside those; none in a plain XML document); others keep theirs. Built node by node: never
 * re-parsed as HTML, so `<span/>` stays empty.
 */
function content(
  document: Document,
  op: Element,
  context: Element | null,
  sanitize: Sanitizer | null,
  defaultNamespace: string | null,
): Node[] {
  const patchNamespace = op.ownerDocument.documentElement.namespaceURI;
  const build = (node: Node, parentNamespace: string | null): Node | null => {
    if (node.nodeType === 3 || node.nodeType === 4) return document.createTextNode(node.nodeValue ?? '');
    if (node.nodeType === 8) return document.createComment(node.nodeValue ?? '');
    if (node.nodeType !== 1) return null;
    const source = node as Element;
    const own = source.namespaceURI;
    const namespace = own === null || own === patchNamespace ? parentNamespace : own;
    const element = document.createElementNS(namespace, source.localName);
    for (const attr of Array.from(source.attributes)) {
      if (attr.name === 'xmlns' || attr.prefix === 'xmlns') continue;
      if (attr.namespaceURI === null) element.setAttribute(attr.name, attr.value);
      else element.setAttributeNS(attr.namespaceURI, attr.name, attr.value);
    }
    for (const child of Array.from(source.childNodes)) {
      const built = build(child, namespace);
      if (built) element.appendChild(built);
    }
    return element;
  };
  const contextNamespace = context === null ? defaultNamespace : context.namespaceURI;
  const nodes = Array.from(op.childNodes, (node) => build(node, contextNamespace)).filter(
    (node): node is Node => node !== null,
  );
  return sanitize ? sanitizeNodes(sanitize, nodes, document) : nodes;
}

function conflict(op: string, sel: string, detail: string, count: number): HttpError {
  return new HttpError(409, `XML Patch <${op} sel=${JSON.stringify(sel)}>: ${detail}`, {
    extensions: { op, sel, count },
  });
}

/** Where an XML Patch runs: the document, its markup rules, the evaluator and the sanitizer. */
export interface PatchContext {
  document: Document;
  markup: Pick<DomMarkup, 'parseXml' | 'defaultNamespace'>;
  evaluate: XPathEvaluator;
  sanitize: Sanitizer | null;
}

/** Applies the operations of `patch` to `target` (a detached copy) in order; throws on the first error. */
export function applyXmlPatch(context: PatchContext, target: Element, patch: string): void {
  const { document, evaluate, sanitize } = context;
  const namespace = context.markup.defaultNamespace;
  const root = context.markup.parseXml(document, patch, 'XML Patch');
  for (const op of Array.from(root.children)) {
    const name = op.localName;
    if (name !== 'add' && name !== 'replace' && name !== 'remove') {
      throw new HttpError(422, `XML Patch has an unknown operation <${name}>; use add, replace or remove`);
    }
    const sel = op.getAttribute('sel');
    if (!sel) throw new HttpError(422, `XML Patch <${name}> has no sel attribute`);
    const value = evaluate(sel, target);
    const count = value.type === 'nodes' ? value.nodes.length : 0;
    if (value.type !== 'nodes' || count !== 1) {
      throw conflict(name, sel, `sel must select exactly one node; it selects ${count}`, count);
    }
    const node = value.nodes[0] as Node;
    if (name === 'remove') {
      if (node === target) throw conflict(name, sel, 'cannot remove the target element itself', 1);
      if (node.nodeType === 2) (node as Attr).ownerElement?.removeAttributeNode(node as Attr);
      else node.parentNode?.removeChild(node);
    } else if (name === 'add') {
      add(document, op, sel, node, target, sanitize, namespace);
    } else {
      replace(document, op, sel, node, target, sanitize, namespace);
    }
  }
}

function add(
  document: Document,
  op: Element,
  sel: string,
  node: Node,
  target: Element,
  sanitize: Sanitizer | null,
  namespace: string | null,
): void {
  const type = op.getAttribute('type');
  if (type?.startsWith('@')) {
    if (node.nodeType !== 1) throw conflict('add', sel, `cannot add an attribute to ${describeNode(node)}`, 1);
    const element = node as Element;
    const attribute = type.slice(1);
    if (element.hasAttribute(attribute)) throw conflict('add', sel, `attribute ${attribute} already exists`, 1);
    // Checked here, not by the DOM: browsers differ in which names they accept.
    if (!XML_NAME.test(attribute)) {
      throw new HttpError(422, `XML Patch <add type="${type}">: "${attribute}" is not a valid attribute name`);
    }
    if (sanitize) checkAttribute(attribute, op.textContent ?? '');
    element.setAttribute(attribute, op.textContent ?? '');
    return;
  }
  const pos = op.getAttribute('pos') ?? 'append';
  const parent = pos === 'before' || pos === 'after' ? node.parentNode : node;
  if (parent === null || (pos !== 'before' && pos !== 'after' && node.nodeType !== 1)) {
    throw conflict('add', sel, `cannot add children to ${describeNode(node)}`, 1);
  }
  if ((pos === 'before' || pos === 'after') && node === target) {
    throw conflict('add', sel, `cannot add ${pos} the target element itself`, 1);
  }
  if (pos !== 'prepend' && pos !== 'before' && pos !== 'after' && pos !== 'append') {
    throw new HttpError(422, `XML Patch <add pos="${pos}"> is not one of prepend, before, after`);
  }
  const nodes = content(document, op, parent.nodeType === 1 ? (parent as Element) : null, sanitize, namespace);
  // Level 2 Core operations only, so any W3C DOM will do (xmldom has no prepend/before/after).
  const anchor =
    pos === 'prepend' ? node.firstChild : pos === 'before' ? node : pos === 'after' ? node.nextSibling : null;
  for (const added of nodes) parent.insertBefore(added, anchor);
}

function replace(
  document: Document,
  op: Element,
  sel: string,
  node: Node,
  target: Element,
  sanitize: Sanitizer | null,
  namespace: string | null,
): void {
  if (node.nodeType === 2 || node.nodeType === 3 || node.nodeType === 4 || node.nodeType === 8) {
    if (sanitize && node.nodeType === 2) checkAttribute((node as Attr).name, op.textContent ?? '');
    setNodeValue(node, op.textContent ?? '');
    return;
  }
  if (node.nodeType !== 1) throw conflict('replace', sel, `cannot replace ${describeNode(node)}`, 1);
  if (node === target) throw conflict('replace', sel, 'replace the target with PUT instead', 1);
  const nodes = content(document, op, (node as Element).parentElement, sanitize, namespace);
  const elements = nodes.filter((child) => child.nodeType === 1);
  if (elements.length !== 1) {
    throw new HttpError(422, `XML Patch <replace sel=${JSON.stringify(sel)}> must hold exactly one element`);
  }
  node.parentNode?.replaceChild(elements[0] as Node, node);
}
