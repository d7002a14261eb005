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

/** The header in which a poll names the page instance (one page load) that sends it. */
export const INSTANCE_HEADER = 'Ptth-Instance';

/** What `POST {endpoint}/connect` takes: the page that connects. */
export interface ConnectBody {
  url: string;
  /** The id and secret this tab had (kept in sessionStorage), to keep its id across reloads and server restarts. */
  id?: string;
  secret?: string;
  /** A random name of this page load: two tabs with the same stored id are told apart by it. */
  instance?: string;
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
  /** Sequence numbers up to this one went to an earlier page load; the client's acks start here. */
  ack: number;
  /** True when the hub kept the id that was asked for. */
  resumed: boolean;
}

/** The header that carries `ack` when a poll's body is `message/http`. */
export const ACK_HEADER = 'Ptth-Ack';
/** The header that carries `retry: true` when a poll's body is `message/http`. */
export const RETRY_HEADER = 'Ptth-Retry';
/** The header that carries `poll` (the poll's name) when a poll's body is `message/http`. */
export const POLL_HEADER = 'Ptth-Poll';
/** The longest poll name a hub accepts. */
export const MAX_POLL_NAME = 64;

/** The JSON body of `POST {endpoint}/poll/{id}`: answers to earlier reverse requests. */
export interface PollBody {
  responses: WireResponse[];
  /** Every request up to this sequence number has reached the client (0: none yet). */
  ack?: number;
  /**
   * Set after a poll of this client failed: its answer, and the requests in it, may be lost.
   * The hub then delivers again every request above `ack` that still has a caller.
   */
  retry?: boolean;
  /**
   * A name no other poll of this page load carries. The browser may send a poll twice: when the
   * kept-alive connection it went on closes before any byte of the answer came back, it sends the
   * same request again on a new one, and the page never hears of the first. The hub then hands
   * the second copy, again, whatever it gave the first (answered into a connection that was dying).
   */
  poll?: string;
}

/** The JSON reply to a poll: reverse requests to run (an empty list when the hold ran out). */
export interface PollReply {
  requests: WireRequest[];
}

/**
 * One client's part of a shared poll: one tab polls for every tab of its origin (HTTP/1.1 lets
 * a browser hold only six connections per host), carrying their answers and acknowledgements.
 */
export interface SharedPollMember {
  id: string;
  /** The page load that owns the id; a mismatch refuses this member (409), not the poll. */
  instance?: string;
  responses?: WireResponse[];
  ack?: number;
  retry?: boolean;
}

/**
 * The body of `POST {endpoint}/poll` (no id): a shared poll. Each member's secret is proven in
 * the `Ptth-Secret` header as `id=secret` pairs separated by commas, never in the body or URL.
 */
export interface SharedPollBody {
  clients: SharedPollMember[];
  /** The poll's name, as in `PollBody`, for every member. */
  poll?: string;
  /**
   * `false`: only the members' answers, while a streamed poll of theirs is open: the hub takes
   * them and answers at once with no requests (refused members are still listed), holding
   * nothing and taking no member from the open poll. `retry` is not read then.
   */
  hold?: boolean;
}

/** A member the hub refused in a shared poll, with the status a poll of its own would get. */
export interface SharedPollRefusal {
  client: string;
  status: number;
  detail: string;
}

/** The reply to a shared poll: requests tagged with their client, and refused members. */
export interface SharedPollReply {
  requests: (WireRequest & { client: string })[];
  refused: SharedPollRefusal[];
  /**
   * On a streamed poll's line: milliseconds from the hub's receipt of the poll to this line.
   * The page compares it with its own clock to tell a stream held up on the way (a buffering
   * proxy) from one that flows.
   */
  at?: number;
}

/**
 * The media type a shared poll accepts (in `Accept`) to be answered as a stream: one
 * `SharedPollReply` per line, each batch as soon as it is ready, while the poll stays held. A
 * hub that does not stream answers `application/json`, as it answers a poll that asks nothing.
 */
export const NDJSON = 'application/x-ndjson';

/**
 * A field of a streamed poll's response: the hub wrote a line with no requests first, at once,
 * so a page that does not get it soon knows something on the way holds the lines back. (A hub
 * without it may write nothing until the first request.)
 */
export const HELLO_HEADER = 'Ptth-Hello';

/** Most clients one shared poll may carry. */
export const MAX_SHARED_CLIENTS = 64;
