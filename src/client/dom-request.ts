/** Checks shared by the DOM handler's methods: media types, targets, and the errors they raise. */
import { HttpError } from '../protocol/http-error.ts';
import type { XPathValue } from './xpath-evaluate.ts';

/**
 * What the DOM handler reads of a request besides its body: a fetch `Request` is one, and so is
 * the lighter object the transport makes from a reverse request (no `Request` needed).
 */
export interface DomRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: { get(name: string): string | null };
}

/** Methods that only read, as sent in `Allow` where nothing can be written. */
export const READ_ONLY_METHODS = 'GET, HEAD, OPTIONS';

/** Every method the DOM handler implements. */
export const ALL_DOM_METHODS = 'GET, HEAD, PUT, POST, PATCH, DELETE, OPTIONS';

/** The methods a target supports, as sent in `Allow`. */
export function allowFor(value: XPathValue): string {
  if (value.type !== 'nodes' || value.nodes.length !== 1) return READ_ONLY_METHODS;
  return allowForNode(value.nodes[0] as Node);
}

/** The methods one node supports. */
export function allowForNode(node: Node): string {
  switch (node.nodeType) {
    case 1:
      return node === node.ownerDocument?.documentElement ? 'GET, HEAD, PUT, POST, PATCH, OPTIONS' : ALL_DOM_METHODS;
    case 9:
      return READ_ONLY_METHODS;
    case 10:
      return 'GET, HEAD, DELETE, OPTIONS';
    default:
      return 'GET, HEAD, PUT, DELETE, OPTIONS';
  }
}

/** Markup bodies. Not text/plain: a cross-site form can send that without a preflight. */
export const HTML_TYPES = ['text/html', 'application/xhtml+xml'];

/** The media type of a request body, lowercased without parameters; `null` when none is given. */
export function mediaType(request: DomRequest): string | null {
  const value = request.headers.get('content-type');
  return value === null ? null : (value.split(';')[0] ?? '').trim().toLowerCase();
}

/** Throws a 415 unless the body is one of `accepted` (or untyped, or any `text/*` when `anyText`). */
export function requireType(request: DomRequest, accepted: readonly string[], anyText = false): void {
  const type = mediaType(request);
  if (type === null || accepted.includes(type) || (anyText && type.startsWith('text/'))) return;
  const list = anyText ? 'text/*' : accepted.join(', ');
  throw new HttpError(415, `Content-Type "${type}" is not supported here; send ${list}`, {
    headers: { 'accept-patch': accepted.join(', ') },
  });
}

/** A 405 naming what was asked and what is allowed. */
export function notAllowed(method: string, what: string, allow: string): HttpError {
  return new HttpError(405, `${method} is not allowed on ${what}`, { headers: { allow } });
}

/** "element <li>", "attribute @class", "the document", ... for messages. */
export function describeNode(node: Node): string {
  switch (node.nodeType) {
    case 1:
      return `element <${(node as Element).localName}>`;
    case 2:
      return `attribute @${(node as Attr).name}`;
    case 9:
      return 'the document';
    default:
      return node.nodeName;
  }
}

/** A 404 for an expression that selects nothing. */
export function selectsNothing(expression: string): HttpError {
  return new HttpError(404, `XPath ${JSON.stringify(expression)} selects nothing`, { extensions: { expression } });
}

/** The single node a write needs: 404 for none, 409 (with the count) for several, 405 for a non-node result. */
export function theOneNode(value: XPathValue, expression: string, method: string): Node {
  if (value.type !== 'nodes') {
    throw notAllowed(method, `the ${value.type} result of XPath ${JSON.stringify(expression)}`, READ_ONLY_METHODS);
  }
  const count = value.nodes.length;
  if (count === 0) throw selectsNothing(expression);
  if (count > 1) {
    throw new HttpError(
      409,
      `XPath ${JSON.stringify(expression)} selects ${count} nodes; ${method} needs exactly one`,
      {
        extensions: { expression, count },
      },
    );
  }
  return value.nodes[0] as Node;
}

/** Whether the request prefers the JSON form of a result: `application/json` with a higher q than any text type. */
export function wantsJson(request: DomRequest): boolean {
  const accept = request.headers.get('accept');
  if (accept === null || !accept.toLowerCase().includes('json')) return false;
  let json = 0;
  let text = 0;
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const q = Number(params.find((param) => param.startsWith('q='))?.slice(2) ?? 1);
    const weight = Number.isFinite(q) ? q : 0;
    if (type === 'application/json') json = Math.max(json, weight);
    else if (type.startsWith('text/') || type === '*/*') text = Math.max(text, weight);
  }
  return json > 0 && json > text;
}

/**
 * Sets the value of an attribute, text, CDATA or comment node. An attribute's is set through
 * `textContent`: every W3C DOM keeps `value` and `nodeValue` in step that way (xmldom does not
 * when `nodeValue` is set).
 */
export function setNodeValue(node: Node, value: string): void {
  if (node.nodeType === 2) node.textContent = value;
  else node.nodeValue = value;
}
