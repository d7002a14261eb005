/** `connect()`: the one call a page makes to let a server drive it. */
import morphdom from 'morphdom';
import { domResource, type Handler } from './dom-resource.ts';
import { Connection, type LongPollOptions } from './long-poll.ts';
import { type LazySanitizer, purifier } from './sanitize.ts';

/** How the page serves its DOM. */
export interface PageOptions {
  /**
   * Clean written markup with DOMPurify and refuse script attributes. Default `true`. DOMPurify
   * is imported at the first write (`ptth/core` fetches it then; `client.js` has it inline).
   */
  sanitize?: boolean;
  /** Serve only this element (or the first match of this CSS selector) and what is inside it. */
  scope?: Element | string;
  /** Serve only GET, HEAD and OPTIONS. Default `false`. */
  readOnly?: boolean;
}

/** Options of `connect`; all optional. Without a handler the page serves its DOM. */
export type ConnectOptions = Partial<LongPollOptions> & PageOptions;

/** DOMPurify on `window`, imported when first needed: most pages are read far more than written. */
function purifierOf(window: Window): LazySanitizer {
  return { load: () => import('dompurify').then((module) => purifier(module.default, window)) };
}

/** The DOM resource handler of a document, morphing with morphdom, sanitizing unless told not to. */
export function pageHandler(document: Document = globalThis.document, options: PageOptions = {}): Handler {
  const selector = options.scope;
  // A selector is looked up at each request: the page may render its scope after connecting.
  const scope = typeof selector === 'string' ? () => document.querySelector(selector) : selector;
  return domResource({
    document,
    morph: morphdom,
    sanitize:
      options.sanitize === false ? false : purifierOf(document.defaultView ?? (globalThis as unknown as Window)),
    ...(scope ? { scope } : {}),
    ...(options.readOnly ? { methods: ['GET', 'HEAD', 'OPTIONS'] } : {}),
  });
}

/** Opens the long-poll loop to the hub at `endpoint` (default `/ptth`) and serves its requests. */
export function connect(options: ConnectOptions = {}): Connection {
  const { sanitize, scope, readOnly, ...transport } = options;
  const page: PageOptions = {};
  if (sanitize !== undefined) page.sanitize = sanitize;
  if (scope !== undefined) page.scope = scope;
  if (readOnly !== undefined) page.readOnly = readOnly;
  const handler = transport.handler ?? pageHandler(globalThis.document, page);
  return new Connection({ ...transport, handler, dom: transport.dom ?? transport.handler === undefined });
}
