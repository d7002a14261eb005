/**
 * A small morph for XML documents, with morphdom's signature, where morphdom cannot go (it
 * needs a browser-like DOM; xmldom is W3C Level 2 Core). It keeps elements whose name did not
 * change (so a `PATCH` target keeps its identity), updates their attributes, and walks children
 * by position; a node whose type or name changed is replaced by a copy of the new one. Keys
 * (`id`, `data-ptth-key`) are not used to move children: in a server-side document nothing
 * (focus, typing, listeners) depends on an element's identity.
 */
import type { MorphOptions } from '../client/dom-morph.ts';

function sameName(a: Element, b: Element): boolean {
  return a.localName === b.localName && a.namespaceURI === b.namespaceURI;
}

function syncAttributes(from: Element, to: Element): void {
  for (const attr of Array.from(from.attributes)) {
    if (!to.hasAttributeNS(attr.namespaceURI, attr.localName)) from.removeAttributeNode(attr);
  }
  for (const attr of Array.from(to.attributes)) {
    if (from.getAttributeNS(attr.namespaceURI, attr.localName) === attr.value) continue;
    if (attr.namespaceURI === null) from.setAttribute(attr.name, attr.value);
    else from.setAttributeNS(attr.namespaceURI, attr.name, attr.value);
  }
}

function copyOf(document: Document, node: Node): Node {
  return node.ownerDocument === document ? node.cloneNode(true) : document.importNode(node, true);
}

function morphChildren(from: Node, to: Node, options: MorphOptions): void {
  const document = from.ownerDocument as Document;
  const current = Array.from(from.childNodes);
  const next = Array.from(to.childNodes);
  next.forEach((child, i) => {
    const old = current[i];
    if (old) morphNode(old, child, options);
    else from.appendChild(copyOf(document, child));
  });
  for (const extra of current.slice(next.length)) from.removeChild(extra);
}

function morphNode(from: Node, to: Node, options: MorphOptions): Node {
  const document = from.ownerDocument as Document;
  const same = from.nodeType === to.nodeType && (from.nodeType !== 1 || sameName(from as Element, to as Element));
  if (!same) {
    const replacement = copyOf(document, to);
    from.parentNode?.replaceChild(replacement, from);
    return replacement;
  }
  if (from.nodeType !== 1) {
    if (from.nodeValue !== to.nodeValue) from.nodeValue = to.nodeValue;
    return from;
  }
  if (options.onBeforeElUpdated?.(from as HTMLElement, to as HTMLElement) === false) return from;
  syncAttributes(from as Element, to as Element);
  morphChildren(from, to, options);
  return from;
}

/** Turns `from` into `to` (or only its children, with `childrenOnly`); returns the resulting node. */
export function xmlMorph(from: Node, to: Node, options: MorphOptions = {}): Node {
  if (!options.childrenOnly) return morphNode(from, to, options);
  morphChildren(from, to, options);
  return from;
}
