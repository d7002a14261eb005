/** The browser side of ptth, as an ES module. Every export is named here on purpose (a test pins the list). */

export { HttpError } from '../protocol/http-error.ts';
export { pathOf } from '../protocol/paths.ts';
export { expressionOf } from '../protocol/xpath-path.ts';
export type { ConnectOptions, PageOptions } from './connect.ts';
export { connect, pageHandler } from './connect.ts';
export type { ConnectionEvents, ConnectionState, LongPollOptions, RequestRecord } from './connection-types.ts';
export type { DomMarkup } from './dom-markup.ts';
export type { Morph, MorphOptions } from './dom-morph.ts';
export { IGNORE_ATTRIBUTE, KEY_ATTRIBUTE } from './dom-morph.ts';
export { domPurifier } from './dom-purifier.ts';
export type { DomResourceOptions, Handler } from './dom-resource.ts';
export { DOM_METHODS, domResource } from './dom-resource.ts';
export { serializeValue, xpathOf } from './dom-serialize.ts';
export { Connection } from './long-poll.ts';
export type { RouteHandler, Router } from './router.ts';
export { router } from './router.ts';
export type { LazySanitizer, Sanitizer } from './sanitize.ts';
export { checkAttribute } from './sanitize.ts';
export { keepUserInput } from './user-input.ts';
export type { XPathEvaluator, XPathValue } from './xpath-evaluate.ts';
export { documentEvaluator, XPATH_NAMESPACES } from './xpath-evaluate.ts';
