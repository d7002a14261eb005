/**
 * `ptth/core`: what a page needs to be driven (the transport, the DOM handler with morphdom, the
 * router), without DOMPurify, which `pageHandler()` imports at the first write: built with
 * chunks split, the page fetches it only then. Every export is named here on purpose (a test
 * pins the list); `ptth/client` has them all, and more.
 */

export { HttpError } from '../protocol/http-error.ts';
export { pathOf } from '../protocol/paths.ts';
export type { ConnectOptions, PageOptions } from './connect.ts';
export { connect, pageHandler } from './connect.ts';
export type { ConnectionEvents, ConnectionState, LongPollOptions, RequestRecord } from './connection-types.ts';
export type { Morph, MorphOptions } from './dom-morph.ts';
export type { DomResourceOptions, Handler } from './dom-resource.ts';
export { domResource } from './dom-resource.ts';
export { Connection } from './long-poll.ts';
export type { RouteHandler, Router } from './router.ts';
export { router } from './router.ts';
export type { LazySanitizer, Sanitizer } from './sanitize.ts';
