/**
 * The long-poll wire shared by the hub and the browser client: endpoint paths, headers, and
 * the bodies of the connect and poll exchanges.
 */
import type { WireRequest, WireResponse } from './json-codec.ts';

/** Default mount point of the ptth endpoints on a server. */
export const DEFAULT_ENDPOINT = '/ptth';

/** The header in which a client proves its secret on every poll. */
export const SECRET_HEADER = 'Ptth-Secret';

/** Media type of a batch of pipelined HTTP/1.1 messages. */
export const MESSAGE_HTTP = 'message/http';

/** What `POST {endpoint}/connect` takes: the page that connects. */
export interface ConnectBody {
  url: string;
  /** True when the page serves only its DOM at XPath paths, so a gateway may check them first. */
  dom?: boolean;
}

/** What `POST {endpoint}/connect` answers (201). */
export interface ConnectReply {
  /** The client id, used in gateway URLs and poll URLs. */
  id: string;
  /** Proves the poller is this client; sent in `Ptth-Secret`, never in a URL. */
  secret: string;
  /** The longest time the hub holds a poll, in milliseconds. */
  holdMs: number;
  /** The largest response body the hub accepts, in bytes. */
  maxBodyBytes: number;
}

/** The JSON body of `POST {endpoint}/poll/{id}`: answers to earlier reverse requests. */
export interface PollBody {
  responses: WireResponse[];
}

/** The JSON reply to a poll: reverse requests to run (an empty list when the hold ran out). */
export interface PollReply {
  requests: WireRequest[];
}
