/**
 * The DOM as HTTP resources: a fetch-shaped handler whose request path is an XPath expression
 * into a document. GET reads, PUT replaces (morphing), POST appends, DELETE removes.
 */
import { HttpError } from '../protocol/http-error.ts';
import { serializeNode, serializeValue, xpathOf } from './dom-serialize.ts';
import { singleElement } from './html-fragment.ts';
import { expressionOf, pathOf } from './reverse-path.ts';
import { keepUserInput } from './user-input.ts';
import type { XPathEvaluator, XPathValue } from './xpath-evaluate.ts';
import { documentEvaluator } from './xpath-evaluate.ts';

/** A fetch-shaped handler, as on both sides of ptth. */
export type Handler = (request: Request) => Response | Promise<Response>;

/** The morph hooks the DOM handler passes; a subset of morphdom's options. */
export interface MorphOptions {
  onBeforeElUpdated?: (fromEl: HTMLElement, toEl: HTMLElement) => boolean;
}

/** A morph function with morphdom's signature: turns `from` into `to`, returns the resulting node. */
export type Morph = (from: Node, to: Node, options?: MorphOptions) => Node;

/** What the DOM handler works on; injected so it runs on a live page and on a test DOM alike. */
export interface DomResourceOptions {
  document: Document;
  morph: Morph;
  evaluate?: XPathEvaluator;
  /** Called for each element morphdom is about to update (after typed input is kept); `false` skips it. */
  onBeforeElUpdated?: (fromEl: HTMLElement, toEl: HTMLElement) => boolean;
}

/** The methods the DOM handler implements, as sent in `Allow`. */
export const DOM_METHODS = 'GET, HEAD, PUT, POST, DELETE, OPTIONS';
const READ_ONLY_METHODS = 'GET, HEAD, OPTIONS';
// Not text/plain: a cross-site form can send that without a preflight, so it never carries markup.
const HTML_TYPES = ['text/html', 'application/xhtml+xml'];

function text(body: string, contentType: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { 'content-type': contentType, ...headers } });
}

function mediaType(request: Request): string | null {
  const value = request.headers.get('content-type');
  return value === null ? null : (value.split(';')[0] ?? '').trim().toLowerCase();
}

function requireType(request: Request, accepted: readonly string[], wildcardText = false): void {
  const type = mediaType(request);
  if (type === null || accepted.includes(type) || (wildcardText && type.startsWith('text/'))) return;
  throw new HttpError(415, `Content-Type "${type}" is not supported here; send one of ${accepted.join(', ')}`, {
    headers: { 'accept-post': accepted.join(', ') },
  });
}

function notAllowed(method: string, what: string, allow: string): HttpError {
  return new HttpError(405, `${method} is not allowed on ${what}`, { headers: { allow } });
}

function describeNode(node: Node): string {
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

function theOneNode(value: XPathValue, expression: string, method: string): Node {
  if (value.type !== 'nodes') {
    throw notAllowed(method, `the ${value.type} result of XPath ${JSON.stringify(expression)}`, READ_ONLY_METHODS);
  }
  const count = value.nodes.length;
  if (count === 0)
    throw new HttpError(404, `XPath ${JSON.stringify(expression)} selects nothing`, { extensions: { expression } });
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

/**
 * A fetch-shaped handler serving `document`'s nodes at XPath paths. Requests run one at a time,
 * in the order the handler was called (the hub's order); each reads its body first and then
 * changes the DOM in one synchronous step, so no request sees another half-done.
 */
export function domResource(options: DomResourceOptions): Handler {
  const { document, morph } = options;
  const evaluate = options.evaluate ?? documentEvaluator(document);
  const userHook = options.onBeforeElUpdated;
  const morphOptions: MorphOptions = {
    onBeforeElUpdated: (fromEl, toEl) => keepUserInput(fromEl, toEl) && userHook?.(fromEl, toEl) !== false,
  };

  function read(value: XPathValue, expression: string, head: boolean): Response {
    if (value.type === 'nodes' && value.nodes.length === 0) {
      throw new HttpError(404, `XPath ${JSON.stringify(expression)} selects nothing`, { extensions: { expression } });
    }
    const { body, contentType } = serializeValue(value);
    const headers: Record<string, string> = {};
    if (value.type === 'nodes') headers['ptth-match-count'] = String(value.nodes.length);
    if (!head) return text(body, contentType, 200, headers);
    const length = String(new TextEncoder().encode(body).length);
    return new Response(null, {
      status: 200,
      headers: { 'content-type': contentType, 'content-length': length, ...headers },
    });
  }

  function put(request: Request, node: Node, body: string): Response {
    if (node.nodeType === 1) {
      requireType(request, HTML_TYPES);
      const replacement = singleElement(document, body, (node as Element).parentElement);
      const result = morph(node, replacement, morphOptions);
      return text(serializeNode(result), 'text/html; charset=utf-8');
    }
    if (node.nodeType === 2 || node.nodeType === 3 || node.nodeType === 4 || node.nodeType === 8) {
      requireType(request, HTML_TYPES, true);
      node.nodeValue = body;
      return text(node.nodeValue ?? '', 'text/plain; charset=utf-8');
    }
    const allow = node.nodeType === 9 ? READ_ONLY_METHODS : `${READ_ONLY_METHODS}, DELETE`;
    throw notAllowed('PUT', describeNode(node), allow);
  }

  function post(request: Request, node: Node, body: string): Response {
    if (node.nodeType !== 1) throw notAllowed('POST', describeNode(node), READ_ONLY_METHODS);
    requireType(request, HTML_TYPES);
    const child = singleElement(document, body, node as Element);
    node.appendChild(child);
    return text(serializeNode(child), 'text/html; charset=utf-8', 201, { location: pathOf(xpathOf(child)) });
  }

  function remove(node: Node): Response {
    if (node.nodeType === 9) throw notAllowed('DELETE', 'the document', READ_ONLY_METHODS);
    if (node === document.documentElement) {
      throw new HttpError(409, 'Refusing to DELETE the document element <html>; DELETE its children instead');
    }
    if (node.nodeType === 2) {
      const attr = node as Attr;
      attr.ownerElement?.removeAttributeNode(attr);
    } else node.parentNode?.removeChild(node);
    return new Response(null, { status: 204 });
  }

  function handle(request: Request, body: string): Response {
    const method = request.method.toUpperCase();
    if (method === 'OPTIONS') return new Response(null, { status: 204, headers: { allow: DOM_METHODS } });
    if (!DOM_METHODS.split(', ').includes(method)) throw notAllowed(method, 'DOM resources', DOM_METHODS);
    const expression = expressionOf(new URL(request.url).pathname);
    const value = evaluate(expression, document);
    if (method === 'GET' || method === 'HEAD') return read(value, expression, method === 'HEAD');
    const node = theOneNode(value, expression, method);
    if (method === 'PUT') return put(request, node, body);
    if (method === 'POST') return post(request, node, body);
    return remove(node);
  }

  function problemOf(error: unknown): Response {
    if (error instanceof HttpError) return error.toResponse();
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new HttpError(500, `The DOM handler failed: ${detail}`).toResponse();
  }

  let tail: Promise<unknown> = Promise.resolve();
  return (request) => {
    const body = request.body === null ? Promise.resolve('') : request.text();
    const run = tail.then(async () => {
      try {
        return handle(request, await body);
      } catch (error) {
        return problemOf(error);
      }
    });
    tail = run;
    return run;
  };
}
