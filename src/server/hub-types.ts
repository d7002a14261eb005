/**
 * The hub's public types: its options with their defaults, the per-call options of `hub.fetch`,
 * how a client registers, the hub's events and its counters.
 */

import { DEFAULT_MAX_BODY_BYTES } from '../protocol/read-body.ts';
import type { ClientInfo } from './client-session.ts';
import type { HubStore, TransportKind } from './hub-store.ts';
import type { LimitOptions } from './limits.ts';
import { DEFAULT_LIMITS } from './limits.ts';
import type { AbortLike } from './pending-call.ts';

/**
 * Tunables of a hub; every one has a default. The `LimitOptions` are applied by the gateway, the
 * long-poll endpoints and the node server the dev server runs.
 */
export interface HubOptions extends LimitOptions {
  /** Longest hold of a poll, in ms; proxies cut longer ones. Default 25 s. */
  holdMs?: number;
  /** How long `hub.fetch` waits for an answer before a 504, in ms. Default 30 s. */
  requestTimeoutMs?: number;
  /** A client with no poll held for this long is gone, in ms. Default 15 s. */
  expireMs?: number;
  /** Largest request or response body, in bytes (413 / 502 past it). Default 1 MiB. */
  maxBodyBytes?: number;
  /** Most requests queued for one client (503 past it). Default 1,000. */
  maxQueue?: number;
  /** Most clients at once (503 past it). Default 10,000. */
  maxClients?: number;
  /** Most clients from one remote address (429 past it). Default 100. */
  maxClientsPerAddress?: number;
  /** Where clients, queues and requests in flight are kept. Default a `MemoryStore`. */
  store?: HubStore;
}

/** A hub's options with every default filled in (`hub.options`). */
export type HubSettings = Required<Omit<HubOptions, 'store'>>;

/** `options` (less the store) over the defaults. */
export function hubSettings(options: Omit<HubOptions, 'store'>): HubSettings {
  return {
    holdMs: 25_000,
    requestTimeoutMs: 30_000,
    expireMs: 15_000,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    maxQueue: 1_000,
    maxClients: 10_000,
    maxClientsPerAddress: 100,
    ...DEFAULT_LIMITS,
    ...options,
  };
}

/** Counters of a hub, for logs and metrics. */
export interface HubStats {
  clients: number;
  /** Connects refused because of `maxClients` or `maxClientsPerAddress`. */
  refusedConnects: number;
  /** Answers that came again, or late, for a request this client was sent: harmless. */
  droppedResponses: number;
  /** Answers naming a request this client was never sent (another client's, or none): never settle anything. */
  rejectedResponses: number;
  /** Refusals by a limit or an access rule, by option (see `hub.limits`). */
  limited: Record<string, number>;
  /** Callers in this process waiting for an answer. */
  pendingCalls: number;
}

/** Per-call options of `hub.fetch`. */
export interface HubFetchOptions {
  /**
   * Aborting rejects with the signal's reason; a request not yet delivered is then never run.
   * Anything shaped like a signal will do (`AbortLike`), such as the node adapter's `Exchange`.
   */
  signal?: AbortSignal | AbortLike;
  /** Overrides `requestTimeoutMs` for this call. */
  timeoutMs?: number;
}

/** What `hub.fetch` takes beside its input: a `RequestInit` (`method`, `headers`, `body`…) and `HubFetchOptions`. */
export type HubFetchInit = Omit<RequestInit, 'signal'> & HubFetchOptions;

/** Events of a hub: `connect` and `disconnect` with the client's info. */
export interface HubEvents {
  connect: [ClientInfo];
  disconnect: [ClientInfo, string];
  /** A connect refused by a limit: the remote address and why. */
  refused: [string, string];
  /** Answers a client gave for requests it was never sent: the client id and what was wrong. */
  rejected: [string, string];
}

/** How a client registers: the page, and optionally the id and secret it asks to keep. */
export interface ClientRegistration {
  url: string;
  userAgent?: string;
  transport?: TransportKind;
  dom?: boolean;
  id?: string | undefined;
  secret?: string | undefined;
  instance?: string;
  /** The remote address, for `maxClientsPerAddress`. */
  address?: string;
}
