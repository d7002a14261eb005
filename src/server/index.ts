/** The Node side of ptth. Every export is named here on purpose (a test pins the list). */

export { fromRequest, fromResponse, REVERSE_ORIGIN, toRequest, toResponse } from '../protocol/fetch-convert.ts';
export { HttpError, problem } from '../protocol/http-error.ts';
export type { WireRequest, WireResponse } from '../protocol/json-codec.ts';
export {
  decodeWireRequest,
  decodeWireResponse,
  encodeWireRequest,
  encodeWireResponse,
} from '../protocol/json-codec.ts';
export type {
  ConnectBody,
  ConnectReply,
  PollBody,
  PollReply,
  SharedPollBody,
  SharedPollMember,
  SharedPollRefusal,
  SharedPollReply,
} from '../protocol/long-poll-wire.ts';
export {
  ACK_HEADER,
  DEFAULT_ENDPOINT,
  INSTANCE_HEADER,
  MESSAGE_HTTP,
  POLL_HEADER,
  RETRY_HEADER,
  SECRET_HEADER,
} from '../protocol/long-poll-wire.ts';
export type { Bytes, HeaderList, ReverseRequest, ReverseResponse } from '../protocol/message.ts';
export {
  ID_HEADER,
  parseRequests,
  parseResponses,
  printBatch,
  printRequest,
  printResponse,
} from '../protocol/message-http.ts';
export { pathOf, protectPath } from '../protocol/paths.ts';
export { resolveClientId } from './client-id.ts';
export type { ClientInfo, ClientSession, HeldPoll, TransportKind } from './client-session.ts';
export type { DevLogOptions, Log, LogEntry, LogFormat } from './dev-log.ts';
export { devLog, formatLogLine, logHubEvents, logRequests } from './dev-log.ts';
export type { DevServer, DevServerOptions } from './dev-server.ts';
export { devApp, startDevServer } from './dev-server.ts';
export { endToEndHeaders, gateway } from './gateway.ts';
export { Hub } from './hub.ts';
export type { ClientRecord, HubStore, Unanswered } from './hub-store.ts';
export { MemoryStore } from './hub-store.ts';
export type {
  ClientRegistration,
  HubEvents,
  HubFetchInit,
  HubFetchOptions,
  HubOptions,
  HubStats,
} from './hub-types.ts';
export type { LimitHit, LimitLog } from './limit-log.ts';
export type { LimitOptions } from './limits.ts';
export { DEFAULT_LIMITS } from './limits.ts';
export type { RouteHandler } from './long-poll-endpoint.ts';
export { longPollEndpoint } from './long-poll-endpoint.ts';
export type { FetchHandler, NodeListener, NodeListenerOptions } from './node-adapter.ts';
export { REMOTE_ADDRESS_HEADER, toNodeListener } from './node-adapter.ts';
export { createNodeServer } from './node-server.ts';
export type { PtthEndpoint, PtthOptions } from './ptth-endpoint.ts';
export { attachPtth, PTTH_ACK_HEADER, ptthEndpoint } from './ptth-endpoint.ts';
export type { PtthHandlerOptions } from './ptth-handler.ts';
export { ptthHandler } from './ptth-handler.ts';
export type { NodeMiddleware } from './ptth-middleware.ts';
export { ptthMiddleware } from './ptth-middleware.ts';
export type { RefusalLogOptions } from './refusal-log.ts';
export { logRefusals } from './refusal-log.ts';
export type { HandRequest, ReplOptions } from './repl.ts';
export { PrintedResponse, replHelpers, startRepl } from './repl.ts';
export { randomToken, sameToken } from './tokens.ts';
export type { PageFetch, TourOptions } from './tour.ts';
export { hubPage, runTour } from './tour.ts';
