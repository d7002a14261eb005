/** The long-poll connection's options, states and events, as its users see them. */
import type { Handler } from './dom-resource.ts';

/** The states of a connection. */
export type ConnectionState = 'connecting' | 'open' | 'backoff' | 'closed';

/** Options of the long-poll transport. */
export interface LongPollOptions {
  /** Where the hub's endpoints are mounted; default `/ptth` on the page's origin. */
  endpoint?: string;
  /** Serves the reverse requests. */
  handler: Handler;
  /** The encoding of batches on the wire: JSON (default) or pipelined `message/http`. */
  wire?: 'json' | 'http';
  /** First delay after a failure; doubles up to `maxBackoffMs`, with jitter. Default 500 ms. */
  minBackoffMs?: number;
  /** Longest delay between attempts after failures. Default 30 s. */
  maxBackoffMs?: number;
  /** The page URL reported to the hub; default `location.href`. */
  url?: string;
  /** Tells the hub the handler is the DOM resource handler alone (`connect()` sets it). */
  dom?: boolean;
  /** Where the tab keeps its id across reloads; default `sessionStorage`, `null` for none. */
  storage?: Storage | null;
  /**
   * Share one poll among the tabs of this origin (Web Locks and BroadcastChannel; JSON wire only).
   * Default `true`: on HTTP/1.1 a browser holds six connections per host, one poll per tab would
   * freeze the seventh.
   */
  shared?: boolean;
  /**
   * Ask the hub to stream the shared poll: it stays open after a batch, and each later batch
   * comes as a line of it, as soon as it is ready (`Accept: application/x-ndjson`). Default
   * `true`. Where something on the way holds the lines back (a buffering proxy), the tab group
   * notices (a line comes seconds after the hub wrote it) and polls without streaming from then on.
   */
  stream?: boolean;
  /**
   * Called with the record of each served request, as the `request` event reports it but with
   * no event made (`ptth.log` is kept this way). A connection with neither makes no record.
   */
  onRequest?: (record: RequestRecord) => void;
}

/** One served reverse request, as reported by the `request` event. */
export interface RequestRecord {
  id: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  /** When it was answered (`Date.now()`). */
  at: number;
}

/** Event detail types, by event name. */
export interface ConnectionEvents {
  state: ConnectionState;
  error: { reason: string; error?: unknown };
  request: RequestRecord;
}
