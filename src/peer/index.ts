/** The Node peer of ptth (`ptth/peer`). Every export is named here on purpose (a test pins the list). */

export type { Dialed, DialIdentity } from './dial.ts';
export { dial, UpgradeRefused } from './dial.ts';
export type { App, Handler, NodeListener, ServedRequest } from './reverse-server.ts';
export { ReverseServer } from './reverse-server.ts';
export type { PeerEvents, PeerState, PeerTransport, ServeReverseOptions } from './serve-reverse.ts';
export { ReversePeer, serveReverse } from './serve-reverse.ts';
export type { ServeDocumentOptions, XmlResourceOptions } from './xml-document.ts';
export { parseXmlDocument, serveDocument, xmlResource } from './xml-document.ts';
export { xmlEvaluator } from './xml-evaluate.ts';
export { xmlMarkup } from './xml-markup.ts';
export { xmlMorph } from './xml-morph.ts';
