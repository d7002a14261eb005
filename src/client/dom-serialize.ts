/**
 * Serializing XPath results for responses (markup, text or JSON), and naming any node by an
 * XPath that selects it. Form controls are serialized with what the user has typed, so a GET
 * (or a watching GET) shows the page as the user sees it.
 */
import type { XPathValue } from './xpath-evaluate.ts';
import { XPATH_NAMESPACES } from './xpath-evaluate.ts';

const XHTML = 'http://www.w3.org/1999/xhtml';
const CONTROLS = 'input, textarea, select';

/** Inputs that were password fields when the page was last written: their typed value stays private. */
const secrets = new WeakSet<Element>();

/** Notes the page's password fields before a write, so a write that changes their type cannot expose them. */
export function rememberSecrets(root: ParentNode): void {
  for (const input of Array.from(root.querySelectorAll('input[type="password" i]'))) secrets.add(input);
}

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

/** Copies the live state of form controls (typed values, checkedness, selection) into attributes. */
function syncControls(live: Element, copy: Element): void {
  const from = [live, ...Array.from(live.querySelectorAll(CONTROLS))].filter((el) => el.matches(CONTROLS));
  const to = [copy, ...Array.from(copy.querySelectorAll(CONTROLS))].filter((el) => el.matches(CONTROLS));
  from.forEach((control, i) => {
    const target = to[i];
    if (!target) return;
    if (control.localName === 'input') {
      const input = control as HTMLInputElement;
      // A password typed by the user is not the page's to give away.
      if (input.type === 'password' || input.type === 'file' || secrets.has(input)) return;
      if (input.type === 'checkbox' || input.type === 'radio') target.toggleAttribute('checked', input.checked);
      else target.setAttribute('value', input.value);
    } else if (control.localName === 'textarea') {
      target.textContent = (control as HTMLTextAreaElement).value;
    } else {
      const options = Array.from((control as HTMLSelectElement).options);
      const copies = target.querySelectorAll('option');
      options.forEach((option, k) => {
        copies[k]?.toggleAttribute('selected', option.selected);
      });
    }
  });
}

function elementMarkup(element: Element): string {
  if (!element.matches(CONTROLS) && element.querySelector(CONTROLS) === null) return element.outerHTML;
  const copy = element.cloneNode(true) as Element;
  syncControls(element, copy);
  return copy.outerHTML;
}

/** The markup of an element (with live form state), document or doctype; the text of any other node. */
export function serializeNode(node: Node): string {
  switch (node.nodeType) {
    case 1:
      return elementMarkup(node as Element);
    case 9: {
      const doc = node as Document;
      const doctype = doc.doctype ? `${serializeNode(doc.doctype)}\n` : '';
      return doctype + (doc.documentElement ? elementMarkup(doc.documentElement) : '');
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
export function serializeValue(
  value: XPathValue,
  serialize: (node: Node) => string = serializeNode,
  markupType = 'text/html; charset=utf-8',
): Serialized {
  if (value.type !== 'nodes') return { body: String(value.value), contentType: 'text/plain; charset=utf-8' };
  const markup = value.nodes.some(isMarkup);
  const parts = value.nodes.map((node) => {
    const text = serialize(node);
    if (!markup || isMarkup(node)) return text;
    // Beside markup, a comment is written as one and text is escaped, so the body stays HTML.
    return node.nodeType === 8 ? `<!--${text}-->` : escapeText(text);
  });
  return { body: parts.join('\n'), contentType: markup ? markupType : 'text/plain; charset=utf-8' };
}

const NODE_TYPES: Record<number, string> = {
  1: 'element',
  2: 'attribute',
  3: 'text',
  4: 'cdata',
  7: 'processing-instruction',
  8: 'comment',
  9: 'document',
  10: 'doctype',
};

/** The JSON form of a result (`Accept: application/json`), for every result type. */
export function jsonValue(value: XPathValue, serialize: (node: Node) => string = serializeNode): unknown {
  if (value.type !== 'nodes') return { type: value.type, value: value.value };
  return {
    type: 'nodes',
    count: value.nodes.length,
    nodes: value.nodes.map((node) => {
      const entry: Record<string, unknown> = { type: NODE_TYPES[node.nodeType] ?? 'node', path: xpathOf(node) };
      if (node.nodeType === 1) entry.name = (node as Element).localName;
      if (node.nodeType === 2) entry.name = (node as Attr).name;
      entry[isMarkup(node) ? 'html' : 'value'] = serialize(node);
      return entry;
    }),
  };
}

function stepName(element: Element): string {
  // HTML elements, and elements of an XML document in no namespace, are named as they are.
  if (element.namespaceURI === XHTML || element.namespaceURI === null) return element.localName;
  const prefix = Object.keys(XPATH_NAMESPACES).find((key) => XPATH_NAMESPACES[key] === element.namespaceURI);
  return prefix ? `${prefix}:${element.localName}` : `*[local-name()='${element.localName}']`;
}

function sameName(a: Element, b: Element): boolean {
  return a.localName === b.localName && a.namespaceURI === b.namespaceURI;
}

function elementPath(element: Element): string {
  const steps: string[] = [];
  for (let node: Element | null = element; node !== null; node = node.parentElement) {
    const siblings = node.parentElement ? Array.from(node.parentElement.children) : [node];
    const same = siblings.filter((sibling) => sameName(sibling, node as Element));
    const step = stepName(node);
    steps.unshift(same.length > 1 ? `${step}[${same.indexOf(node) + 1}]` : step);
  }
  return `/${steps.join('/')}`;
}

/** An absolute XPath that selects exactly this node, e.g. `/html/body/ul/li[4]` or `.../@class`. */
export function xpathOf(node: Node): string {
  if (node.nodeType === 1) return elementPath(node as Element);
  if (node.nodeType === 2) {
    const attr = node as Attr;
    return `${attr.ownerElement ? elementPath(attr.ownerElement) : ''}/@${attr.name}`;
  }
  const parent = node.parentNode;
  if (node.nodeType === 9 || parent === null) return '/';
  const test = node.nodeType === 8 ? 'comment()' : node.nodeType === 10 || node.nodeType === 7 ? 'node()' : 'text()';
  const kin = Array.from(parent.childNodes).filter((child) =>
    test === 'node()'
      ? true
      : test === 'comment()'
        ? child.nodeType === 8
        : child.nodeType === 3 || child.nodeType === 4,
  );
  const base = parent.nodeType === 9 ? '' : elementPath(parent as Element);
  return `${base}/${test}[${kin.indexOf(node as ChildNode) + 1}]`;
}
