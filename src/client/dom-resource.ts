/**
 * The DOM as HTTP resources: a fetch-shaped handler whose request path is an XPath expression
 * into a document. GET reads (and can watch), PUT replaces (morphing) or creates an attribute,
 * POST appends, PATCH edits children (HTML or RFC 5261 XML Patch), DELETE removes.
 */
import { BufferedResponse } from '../protocol/buffered-response.ts';
import { utf8, utf8Text } from '../protocol/bytes.ts';
import { REVERSE_ORIGIN } from '../protocol/fetch-convert.ts';
import { HttpError } from '../protocol/http-error.ts';
import { remembered } from '../protocol/lru.ts';
import type { HeaderList, ReverseRequest, ReverseResponse } from '../protocol/message.ts';
import { pathOf, protectPath } from '../protocol/paths.ts';
import { expressionOf } from '../protocol/xpath-path.ts';
import { type DomMarkup, htmlMarkup } from './dom-markup.ts';
import {
  ALL_DOM_METHODS,
  allowFor,
  allowForNode,
  type DomRequest,
  describeNode,
  mediaType,
  notAllowed,
  READ_ONLY_METHODS,
  requireType,
  selectsNothing,
  setNodeValue,
  theOneNode,
  wantsJson,
} from './dom-request.ts';
import { jsonValue, serializeValue, xpathOf } from './dom-serialize.ts';
import { preferredWait } from './dom-watch.ts';
import { etagOf, ifMatch, noneMatchHits, preconditions } from './etag.ts';
import { singleElement } from './html-fragment.ts';
import { checkAttribute, type LazySanitizer, type Sanitizer } from './sanitize.ts';
import { SERVE_MESSAGE, type ServesMessages } from './serve-request.ts';
import { keepUserInput } from './user-input.ts';
import { applyXmlPatch, XML_PATCH } from './xml-patch.ts';
import type { XPathEvaluator, XPathValue } from './xpath-evaluate.ts';
import { documentEvaluator } from './xpath-evaluate.ts';

/** A fetch-shaped handler, as on both sides of ptth. */
export type Handler = (request: Request) => Response | Promise<Response>;

/** The morph options the DOM handler passes; a subset of morphdom's. */
export interface MorphOptions {
  onBeforeElUpdated?: (fromEl: HTMLElement, toEl: HTMLElement) => boolean;
  getNodeKey?: (node: Node) => unknown;
  childrenOnly?: boolean;
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
  /** Longest `Prefer: wait` honoured by a watching GET, in seconds. Default 25. */
  maxWaitSeconds?: number;
  /**
   * Cleans written markup (see `domPurifier`) and refuses script attributes; `false` writes
   * markup as sent. A `LazySanitizer` is loaded before the first PUT, POST or PATCH (a failed
   * load is a 503, and is tried again at the next write). `pageHandler()` sanitizes by default;
   * here the default is `false`.
   */
  sanitize?: Sanitizer | LazySanitizer | false;
  /**
   * Only nodes inside this element are served: others are a 403 (and non-node results too). A
   * function is asked at each request (the element may be rendered later, or again).
   */
  scope?: Element | (() => Element | null);
  /** The methods served (e.g. `['GET', 'HEAD', 'OPTIONS']` for a read-only page); others are a 405. */
  methods?: readonly string[];
  /** The document's markup rules; HTML by default. An XML document in Node brings its own. */
  markup?: DomMarkup;
}

/** The methods the DOM handler implements, as sent in `Allow`. */
export const DOM_METHODS = ALL_DOM_METHODS;
/** Children of an element with this attribute are never changed by a morph (the element itself may be). */
export const IGNORE_ATTRIBUTE = 'data-ptth-ignore';
/** Besides `id`, this attribute keys children, so a morph moves them instead of rebuilding them. */
export const KEY_ATTRIBUTE = 'data-ptth-key';

/** The methods that write markup, and so need the sanitizer. */
const WRITES = new Set(['PUT', 'POST', 'PATCH']);

const ATTRIBUTE_STEP = /^(.*)\/@([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)$/;

/**
 * What the handler answers, before it becomes a `Response` (for callers of the fetch-shaped
 * handler) or a reverse response (for the transport, which then needs no `Response`).
 */
interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string | null;
}

/** An answer that comes later (a watching GET), outside the one-at-a-time queue. */
interface Later {
  later: Promise<Answer>;
}

function reply(body: string | null, contentType: string, status: number, headers: Record<string, string> = {}): Answer {
  return { status, headers: { 'content-type': contentType, ...headers }, body };
}

/** A problem as an answer: its status, its headers, and its problem+json document. */
function problemAnswer(error: HttpError): Answer {
  const headers: Record<string, string> = {};
  new Headers(error.headers).forEach((value, name) => {
    headers[name] = value;
  });
  headers['content-type'] = 'application/problem+json';
  return { status: error.status, headers, body: JSON.stringify(error.toJSON()) };
}

/** An answer as a fetch `Response` (its body held, no stream unless asked for). */
function toResponse({ status, headers, body }: Answer): Response {
  return body === null ? new Response(null, { status, headers }) : new BufferedResponse(body, { status, headers });
}

/** How many URLs' expressions the handlers keep: a page is asked for the same few paths again and again. */
const KEPT_EXPRESSIONS = 256;

/** The XPath expression a request's URL names; parsing the URL took a fifth of serving a small GET. */
const expressionAt = remembered(
  KEPT_EXPRESSIONS,
  (url: string) => expressionOf(new URL(url).pathname),
  (url) => url.length <= 2_048,
);

/** An answer as the reverse response to request `id`: fields lowercased and sorted, as a `Response`'s list them. */
function toMessage(id: string, { status, headers, body }: Answer): ReverseResponse {
  const list: HeaderList = Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]);
  list.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { id, status, statusText: '', headers: list, body: body === null ? null : utf8(body) };
}

/** A request as the handler reads it, from a reverse request: no `Request` made (see `SERVE_MESSAGE`). */
function messageRequest(message: ReverseRequest): DomRequest {
  const fields = message.headers;
  return {
    method: message.method,
    url: REVERSE_ORIGIN + protectPath(message.path) + (message.query === '' ? '' : `?${message.query}`),
    headers: {
      get(name: string): string | null {
        const wanted = name.toLowerCase();
        let value: string | null = null;
        for (const [key, each] of fields) {
          if (key.toLowerCase() === wanted) value = value === null ? each : `${value}, ${each}`;
        }
        return value;
      },
    },
  };
}

/**
 * A fetch-shaped handler serving `document`'s nodes at XPath paths. Requests run one at a time,
 * in the order the handler was called (the hub's order); each reads its body first and then
 * changes the DOM in one synchronous step, so no request sees another half-done. A watching
 * GET waits outside that order.
 */
export function domResource(options: DomResourceOptions): Handler {
  const { document, morph } = options;
  const markup = options.markup ?? htmlMarkup;
  const serializeNode = markup.serialize;
  const scopeOf =
    typeof options.scope === 'function' ? options.scope : () => (options.scope as Element | undefined) ?? null;
  const scoped = options.scope !== undefined;
  const sanitizing = Boolean(options.sanitize);
  const lazy = typeof options.sanitize === 'object' ? options.sanitize : null;
  let sanitize = typeof options.sanitize === 'function' ? options.sanitize : null;
  const served = new Set((options.methods ?? DOM_METHODS.split(', ')).map((method) => method.toUpperCase()));
  served.add('OPTIONS');

  function inScope(node: Node): boolean {
    if (!scoped) return true;
    const scope = scopeOf();
    if (!scope) return false;
    const anchor = node.nodeType === 2 ? (node as Attr).ownerElement : node;
    return anchor !== null && (anchor === scope || scope.contains(anchor));
  }

  function checkScope(value: XPathValue, expression: string, method: string): void {
    if (!scoped) return;
    const scope = scopeOf();
    let outside: string | null = null;
    if (!scope) outside = 'a scope element that is not on the page';
    else if (value.type !== 'nodes') outside = `its ${value.type} result`;
    else if (value.nodes.some((node) => !inScope(node))) outside = 'nodes outside it';
    else if ((method === 'PUT' || method === 'DELETE') && value.nodes[0] === scope)
      outside = 'the scope element itself';
    if (outside) {
      throw new HttpError(
        403,
        `XPath ${JSON.stringify(expression)} reaches ${outside}; this page serves only its scope`,
        {
          extensions: { expression },
        },
      );
    }
  }
  const evaluate = options.evaluate ?? documentEvaluator(document);
  const maxWait = options.maxWaitSeconds ?? 25;

  function morphOptions(target: Node, childrenOnly = false): MorphOptions {
    return {
      childrenOnly,
      getNodeKey: (node) => (node as Element).id || (node as Element).getAttribute?.(KEY_ATTRIBUTE) || undefined,
      onBeforeElUpdated: (fromEl, toEl) => {
        if (fromEl !== target && fromEl.hasAttribute(IGNORE_ATTRIBUTE)) return false;
        return keepUserInput(fromEl, toEl) && options.onBeforeElUpdated?.(fromEl, toEl) !== false;
      },
    };
  }

  function representation(request: DomRequest, value: XPathValue): { body: string; contentType: string } {
    if (wantsJson(request))
      return { body: JSON.stringify(jsonValue(value, serializeNode)), contentType: 'application/json' };
    return serializeValue(value, serializeNode, markup.type);
  }

  function read(request: DomRequest, expression: string, value: XPathValue, head: boolean): Answer | Later {
    const empty = value.type === 'nodes' && value.nodes.length === 0;
    if (empty && request.headers.get('if-match') === null) throw selectsNothing(expression);
    const { body, contentType } = representation(request, value);
    const etag = empty ? null : etagOf(body);
    const match = request.headers.get('if-match');
    if (match !== null && !ifMatch(match, etag)) preconditions(request, etag);
    const headers: Record<string, string> = { etag: etag ?? '', vary: 'Accept' };
    if (value.type === 'nodes') headers['ptth-match-count'] = String(value.nodes.length);
    const noneMatch = request.headers.get('if-none-match');
    if (noneMatch !== null && noneMatchHits(noneMatch, etag)) {
      const wait = head ? 0 : preferredWait(request, maxWait);
      if (wait === 0) return { status: 304, headers, body: null };
      return { later: watch(request, expression, etag as string, wait) };
    }
    if (!head) return reply(body, contentType, 200, headers);
    const length = String(new TextEncoder().encode(body).length);
    return { status: 200, headers: { 'content-type': contentType, 'content-length': length, ...headers }, body: null };
  }

  async function watch(request: DomRequest, expression: string, etag: string, wait: number): Promise<Answer> {
    const current = () => {
      try {
        const value = evaluate(expression, document);
        return value.type === 'nodes' && value.nodes.length === 0 ? '' : etagOf(representation(request, value).body);
      } catch {
        return '';
      }
    };
    const changed = await markup.waitForChange(document, current, etag, wait * 1000);
    const applied = { 'preference-applied': `wait=${wait}`, vary: 'Accept' };
    // Some changes fire nothing (a script setting input.value): look once more before a 304.
    if (!changed && current() === etag) return { status: 304, headers: { etag, ...applied }, body: null };
    const value = evaluate(expression, document);
    if (value.type === 'nodes' && value.nodes.length === 0) throw selectsNothing(expression);
    const { body, contentType } = representation(request, value);
    return reply(body, contentType, 200, { etag: etagOf(body), ...applied });
  }

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
      const result = morph(node, replacement, morphOptions(node));
      keepsItsUri(expression, result, () => morph(result, before, morphOptions(result)));
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
    morph(element, copy, morphOptions(element, !xmlPatch));
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

  function handle(request: DomRequest, body: string): Answer | Later {
    const method = request.method.toUpperCase();
    if (!served.has(method)) throw notAllowed(method, 'DOM resources', [...served].join(', '));
    const expression = expressionAt(request.url);
    const value = evaluate(expression, document);
    checkScope(value, expression, method);
    if (method === 'OPTIONS') {
      if (value.type === 'nodes' && value.nodes.length === 0) throw selectsNothing(expression);
      return { status: 204, headers: { allow: allowFor(value) }, body: null };
    }
    if (method === 'GET' || method === 'HEAD') return read(request, expression, value, method === 'HEAD');
    markup.beforeWrite(document);
    if (method === 'PUT') return put(request, expression, value, body);
    const node = theOneNode(value, expression, method);
    if (method === 'POST') return post(request, node, body);
    if (method === 'PATCH') return patch(request, node, body);
    return remove(request, node);
  }

  function problemOf(error: unknown): Answer {
    if (error instanceof HttpError) return problemAnswer(error);
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return problemAnswer(new HttpError(500, `The DOM handler failed: ${detail}`));
  }

  /** Loads a lazy sanitizer before the first write: every write that parses markup then has it. */
  async function ready(request: DomRequest): Promise<void> {
    if (sanitize !== null || lazy === null || !WRITES.has(request.method.toUpperCase())) return;
    try {
      sanitize = await lazy.load();
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new HttpError(503, `The sanitizer could not be loaded, so no markup is written: ${detail}`);
    }
  }

  let tail: Promise<unknown> = Promise.resolve();
  /** Runs one request in its turn; a watching GET answers outside the queue. */
  function serve(request: DomRequest, body: string | Promise<string>): Promise<Answer> {
    const step = tail.then(async () => {
      try {
        const text = await body;
        await ready(request);
        return handle(request, text);
      } catch (error) {
        return problemOf(error);
      }
    });
    tail = step;
    return step.then((out) => ('later' in out ? out.later.catch(problemOf) : out));
  }

  const handler = (request: Request) => serve(request, request.body === null ? '' : request.text()).then(toResponse);
  const servesMessages: ServesMessages = {
    [SERVE_MESSAGE]: (message) =>
      serve(messageRequest(message), message.body === null ? '' : utf8Text(message.body)).then((answer) =>
        toMessage(message.id, answer),
      ),
  };
  return Object.assign(handler, servesMessages);
}
