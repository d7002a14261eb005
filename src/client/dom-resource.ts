/**
 * The DOM as HTTP resources: a fetch-shaped handler whose request path is an XPath expression
 * into a document. GET reads (and can watch), PUT replaces (morphing) or creates an attribute,
 * POST appends, PATCH edits children (HTML or RFC 5261 XML Patch), DELETE removes. This module
 * holds the handler's options, its scope, the dispatch by method and the one-at-a-time queue;
 * the reads are in dom-read.ts, the writes in dom-write.ts, the answers in dom-answer.ts.
 */
import { utf8Text } from '../protocol/bytes.ts';
import { HttpError } from '../protocol/http-error.ts';
import { remembered } from '../protocol/lru.ts';
import { isThenable } from '../protocol/thenable.ts';
import { expressionOf } from '../protocol/xpath-path.ts';
import { type Answer, type Later, messageRequest, problemOf, toMessage, toResponse } from './dom-answer.ts';
import { type DomMarkup, htmlMarkup } from './dom-markup.ts';
import type { Morph } from './dom-morph.ts';
import { domReads } from './dom-read.ts';
import { ALL_DOM_METHODS, allowFor, type DomRequest, notAllowed, selectsNothing } from './dom-request.ts';
import { domWrites } from './dom-write.ts';
import type { LazySanitizer, Sanitizer } from './sanitize.ts';
import { SERVE_MESSAGE, type ServesMessages } from './serve-request.ts';
import type { XPathEvaluator, XPathValue } from './xpath-evaluate.ts';
import { documentEvaluator } from './xpath-evaluate.ts';

/** A fetch-shaped handler, as on both sides of ptth. */
export type Handler = (request: Request) => Response | Promise<Response>;

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

/** How many URLs' expressions the handlers keep: a page is asked for the same few paths again and again. */
const KEPT_EXPRESSIONS = 256;

/** The XPath expression a request's URL names; parsing the URL took a fifth of serving a small GET. */
const expressionAt = remembered(
  KEPT_EXPRESSIONS,
  (url: string) => expressionOf(new URL(url).pathname),
  (url) => url.length <= 2_048,
);

/**
 * A fetch-shaped handler serving `document`'s nodes at XPath paths. Requests run one at a time,
 * in the order the handler was called (the hub's order); each reads its body first and then
 * changes the DOM in one synchronous step, so no request sees another half-done. A watching
 * GET waits outside that order.
 */
export function domResource(options: DomResourceOptions): Handler {
  const { document } = options;
  const markup = options.markup ?? htmlMarkup;
  const scopeOf =
    typeof options.scope === 'function' ? options.scope : () => (options.scope as Element | undefined) ?? null;
  const scoped = options.scope !== undefined;
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
  const read = domReads(document, markup, evaluate, options.maxWaitSeconds ?? 25);
  const [ready, write] = domWrites(options, markup, evaluate, inScope);

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
    return write(request, method, expression, value, body);
  }

  /**
   * `handle`, once the body is read and the sanitizer loaded; any failure as a problem. Written
   * without `async`/`await`: a small GET needs neither, and their frames and turns cost more
   * than its XPath.
   */
  function attempt(request: DomRequest, body: string | Promise<string>): Answer | Later | Promise<Answer | Later> {
    try {
      if (typeof body !== 'string') return body.then((text) => attempt(request, text), problemOf);
      const loading = ready(request);
      if (loading === undefined) return handle(request, body);
      return loading.then(() => handle(request, body)).catch(problemOf);
    } catch (error) {
      return problemOf(error);
    }
  }

  let tail: Promise<unknown> = Promise.resolve();
  /**
   * Requests whose turn has not ended: those waiting in the queue, and one running at once (so a
   * request made while it runs, from a custom element's callback or `onBeforeElUpdated` during
   * a morph, waits its turn and never sees a write half done).
   */
  let turns = 0;
  const settled = (out: Answer | Later): Answer | Promise<Answer> =>
    'later' in out ? out.later.catch(problemOf) : out;
  const ended = () => {
    turns--;
  };
  /** `step`, counted in `turns` already, as the queue's last turn: the next request waits until it ends. */
  function enqueue(step: PromiseLike<Answer | Later>): Promise<Answer> {
    const done = Promise.resolve(step);
    tail = done.then(ended, ended);
    return done.then(settled);
  }
  /**
   * Runs one request in its turn; a watching GET answers outside the queue. With the queue empty
   * it runs at once, and an answer that needs no waiting comes back as it is, with no promise:
   * their turns and allocations cost a small GET more than its XPath.
   */
  function serve(request: DomRequest, body: string | Promise<string>): Answer | Promise<Answer> {
    turns++;
    if (turns > 1) return enqueue(tail.then(() => attempt(request, body)));
    let out: Answer | Later | PromiseLike<Answer | Later>;
    try {
      out = attempt(request, body);
    } catch {
      // attempt catches what the handler throws: this is a problem that threw as it was made.
      out = { status: 500, headers: { 'content-type': 'text/plain' }, body: 'The DOM handler failed' };
    }
    if (isThenable(out)) return enqueue(out);
    turns--;
    return settled(out);
  }

  const handler = (request: Request) =>
    Promise.resolve(serve(request, request.body === null ? '' : request.text())).then(toResponse);
  const servesMessages: ServesMessages = {
    [SERVE_MESSAGE]: (message) => {
      const answer = serve(messageRequest(message), message.body === null ? '' : utf8Text(message.body));
      return isThenable(answer) ? answer.then((done) => toMessage(message.id, done)) : toMessage(message.id, answer);
    },
  };
  return Object.assign(handler, servesMessages);
}
