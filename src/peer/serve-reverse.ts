/**
 * `serveReverse`: a Node process behind NAT dials a ptth hub and serves HTTP on the connection
 * it opened. It upgrades with `Upgrade: PTTH/1.0`, hands each turned socket to Node's HTTP
 * server machinery, keeps `connections` sockets open (reconnecting with backoff and jitter), and
 * falls back to the JSON long-poll transport the browser uses when the upgrade is refused (a
 * proxy that strips `Upgrade`), as the Reverse HTTP draft suggests.
 */
import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomName } from '../client/identity.ts';
import { Connection } from '../client/long-poll.ts';
import { backoffDelay } from '../client/scheduling.ts';
import { INSTANCE_HEADER, SECRET_HEADER } from '../protocol/long-poll-wire.ts';
import { dial, UpgradeRefused } from './dial.ts';
import { type App, type Handler, type NodeListener, ReverseServer, type ServedRequest } from './reverse-server.ts';

/** The states of a peer: `open` while at least one socket (or the long poll) is up. */
export type PeerState = 'connecting' | 'open' | 'backoff' | 'closed';

/** How a peer reaches the hub: turned sockets, or the long-poll fallback. */
export type PeerTransport = 'ptth' | 'long-poll';

/** Events of a peer. */
export interface PeerEvents {
  state: [PeerState];
  transport: [PeerTransport];
  error: [{ reason: string; error?: unknown }];
  request: [ServedRequest];
}

/** Options of `serveReverse`; give exactly one of `handler`, `server` and `listener`. */
export interface ServeReverseOptions {
  /** The hub's reverse endpoint, e.g. `http://127.0.0.1:8080/ptth/reverse`. */
  url: string;
  /** A fetch-shaped handler that serves the requests. */
  handler?: Handler;
  /** An `http.Server` whose `'request'` listeners serve the requests, unchanged (it need not listen). */
  server?: Server;
  /** A `node:http` request listener (an Express app, say) that serves the requests. */
  listener?: NodeListener;
  /** How many turned sockets to keep open, for requests in parallel. Default 1. */
  connections?: number;
  /** First delay after a failure; doubles up to `maxBackoffMs`, with jitter. Default 500 ms. */
  minBackoffMs?: number;
  /** Longest delay between attempts. Default 30 s. */
  maxBackoffMs?: number;
  /** The id (and its secret) this peer had, to keep it across restarts of the peer. */
  id?: string;
  secret?: string;
  /** Reported as the client's `url` in `GET /ptth/clients`. */
  name?: string;
  /** The peer serves only a DOM at XPath paths, so the gateway may check paths first. */
  dom?: boolean;
  /** Sent as `Authorization: Bearer <token>` on the upgrade (a hub with `PTTH_TOKEN`). */
  token?: string;
  /** Fall back to long-polling when the upgrade is refused. Default `true`. */
  fallback?: boolean;
  /** The long-poll endpoints; default the reverse URL without its last segment (`/ptth`). */
  endpoint?: string;
}

/** Answers to an upgrade that mean "this path does not speak PTTH here", so long-polling may. */
function meansNoPtth(status: number): boolean {
  return (status >= 200 && status < 400) || status === 400 || status === 404 || status === 405 || status === 426;
}

/** A `Storage` in memory, so the long-poll transport starts from the peer's id. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => Array.from(items.keys())[index] ?? null,
    removeItem: (key) => {
      items.delete(key);
    },
    setItem: (key, value) => {
      items.set(key, value);
    },
  };
}

function appOf(options: ServeReverseOptions): App {
  const given = [options.handler, options.server, options.listener].filter((value) => value !== undefined);
  if (given.length !== 1) throw new TypeError('serveReverse needs exactly one of handler, server and listener');
  if (options.handler) return { handler: options.handler };
  const server = options.server;
  if (server) return { listener: (req, res) => server.emit('request', req, res) };
  return { listener: options.listener as NodeListener };
}

/** A peer serving HTTP to a hub; see `serveReverse`. */
export class ReversePeer extends EventEmitter<PeerEvents> {
  #state: PeerState = 'connecting';
  #transport: PeerTransport = 'ptth';
  #id: string | undefined;
  #secret: string | undefined;
  readonly #instance = randomName();
  readonly #sockets = new Set<Socket>();
  readonly #abort = new AbortController();
  readonly #server: ReverseServer;
  readonly #options: ServeReverseOptions;
  readonly #endpoint: string;
  #longPoll: Connection | null = null;
  #slotsStarted = false;

  constructor(options: ServeReverseOptions) {
    super();
    this.#options = options;
    this.#server = new ReverseServer(appOf(options), (record) => this.emit('request', record));
    this.#id = options.id;
    this.#secret = options.secret;
    this.#endpoint = options.endpoint ?? new URL('.', options.url).href.replace(/\/$/, '');
    void this.#slot();
  }

  /** The client id the hub gave this peer; `undefined` until connected. */
  get id(): string | undefined {
    return this.#longPoll?.id ?? this.#id;
  }

  /** The secret that proves the id; keep it with the id to have the id again after a restart. */
  get secret(): string | undefined {
    return this.#secret;
  }

  /** The peer's state. */
  get state(): PeerState {
    return this.#state;
  }

  /** `ptth` (turned sockets) or `long-poll` (after a refused upgrade). */
  get transport(): PeerTransport {
    return this.#transport;
  }

  /** Turned sockets open now. */
  get sockets(): number {
    return this.#sockets.size;
  }

  /** Resolves when the peer is open (at once when it is). */
  async opened(): Promise<void> {
    if (this.#state === 'open') return;
    await new Promise<void>((resolve, reject) => {
      const onState = (state: PeerState) => {
        if (state === 'closed') reject(new Error('The peer was closed'));
        if (state !== 'open' && state !== 'closed') return;
        this.off('state', onState);
        resolve();
      };
      this.on('state', onState);
    });
  }

  /** Stops for good: closes the sockets and tells the hub to forget this peer (best effort). */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#abort.abort();
    for (const socket of this.#sockets) socket.destroy();
    if (this.#longPoll) this.#longPoll.close();
    else if (this.#id !== undefined && this.#secret !== undefined) {
      await fetch(`${this.#endpoint}/poll/${encodeURIComponent(this.#id)}`, {
        method: 'DELETE',
        headers: { [SECRET_HEADER]: this.#secret, [INSTANCE_HEADER]: this.#instance },
        signal: AbortSignal.timeout(2_000),
      }).catch(() => {});
    }
    this.#setState('closed');
  }

  #setState(state: PeerState): void {
    if (this.#state === state || this.#state === 'closed') return;
    this.#state = state;
    this.emit('state', state);
  }

  #error(reason: string, error?: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', { reason, error });
  }

  /** One socket's life: dial, serve until it closes, wait, dial again. */
  async #slot(): Promise<void> {
    const signal = this.#abort.signal;
    let attempt = 0;
    while (!signal.aborted && this.#transport === 'ptth') {
      try {
        const dialed = await dial(
          this.#options.url,
          {
            id: this.#id,
            secret: this.#secret,
            instance: this.#instance,
            url: this.#options.name,
            dom: this.#options.dom ?? false,
            token: this.#options.token,
          },
          signal,
        );
        if (signal.aborted) {
          dialed.socket.destroy();
          return;
        }
        // A new session (or another id) numbers its requests anew: forget the old arrivals.
        if (dialed.ack !== null || dialed.id !== this.#id) this.#server.reset(dialed.ack ?? 0);
        this.#id = dialed.id;
        this.#secret = dialed.secret;
        attempt = 0;
        const closed = new Promise((resolve) => dialed.socket.once('close', resolve));
        dialed.socket.on('error', (error) => this.#error('a turned socket failed', error));
        this.#sockets.add(dialed.socket);
        this.#server.take(dialed.socket, dialed.head);
        this.#setState('open');
        this.#startOtherSlots();
        await closed;
        this.#sockets.delete(dialed.socket);
        if (signal.aborted) return;
        this.#error('a turned socket closed; dialing again');
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof UpgradeRefused && meansNoPtth(error.status) && this.#options.fallback !== false) {
          return this.#fallBack(error);
        }
        this.#error(error instanceof Error ? error.message : 'the upgrade failed', error);
      }
      if (this.#sockets.size === 0) this.#setState('backoff');
      const delay = backoffDelay(attempt++, this.#options.minBackoffMs ?? 500, this.#options.maxBackoffMs ?? 30_000);
      // Not a listener of its own on the peer's signal per retry: those would pile up while the
      // hub is down. timers/promises takes its listener off when the delay ends.
      await sleep(delay, undefined, { signal }).catch(() => {});
    }
  }

  /** The other sockets dial once the first has the peer's id, so they all join one session. */
  #startOtherSlots(): void {
    if (this.#slotsStarted) return;
    this.#slotsStarted = true;
    for (let i = 1; i < (this.#options.connections ?? 1); i++) void this.#slot();
  }

  /** The upgrade was refused: serve over the long-poll transport, keeping the id. */
  #fallBack(refused: UpgradeRefused): void {
    if (this.#transport === 'long-poll') return;
    this.#transport = 'long-poll';
    for (const socket of this.#sockets) socket.destroy();
    this.#error(`the upgrade was refused (${refused.status}); falling back to long-polling`, refused);
    this.emit('transport', 'long-poll');
    const storage = memoryStorage();
    if (this.#id !== undefined && this.#secret !== undefined) {
      const key = `ptth:${new URL(this.#endpoint).href}`;
      storage.setItem(key, JSON.stringify({ id: this.#id, secret: this.#secret }));
    }
    const connection = new Connection({
      endpoint: this.#endpoint,
      handler: this.#server.handler(),
      shared: false,
      storage,
      url: this.#options.name ?? this.#options.url,
      dom: this.#options.dom ?? false,
      minBackoffMs: this.#options.minBackoffMs ?? 500,
      maxBackoffMs: this.#options.maxBackoffMs ?? 30_000,
    });
    this.#longPoll = connection;
    connection.on('state', (state) => this.#setState(state));
    connection.on('error', ({ reason, error }) => this.#error(reason, error));
    connection.on('request', (record) => this.emit('request', record));
  }
}

/**
 * Serves `handler` (or an `http.Server`, or a request listener) to the hub at `url` over Reverse
 * HTTP; see the module comment. Returns the running peer.
 */
export function serveReverse(options: ServeReverseOptions): ReversePeer {
  return new ReversePeer(options);
}
