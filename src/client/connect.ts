/** `connect()`: the one call a page makes to let a server drive it. */
import morphdom from 'morphdom';
import { domResource } from './dom-resource.ts';
import { Connection, type LongPollOptions } from './long-poll.ts';

/** Options of `connect`; all optional. Without a handler the page serves its DOM. */
export type ConnectOptions = Partial<LongPollOptions>;

/** The DOM resource handler of the current document, morphing with morphdom. */
export function pageHandler(document: Document = globalThis.document) {
  return domResource({ document, morph: morphdom });
}

/** Opens the long-poll loop to the hub at `endpoint` (default `/ptth`) and serves its requests. */
export function connect(options: ConnectOptions = {}): Connection {
  return new Connection({ ...options, handler: options.handler ?? pageHandler(), dom: options.handler === undefined });
}
