/**
 * Real Reverse HTTP on `node:http`: `{endpoint}/reverse` with `Upgrade: PTTH/1.0` and
 * `Connection: Upgrade` (any method) is answered `101 Switching Protocols`, and from then on the
 * server sends requests down that socket and the peer answers them. The peer is registered with
 * the hub as a client with transport `ptth`, so `hub.fetch`, the gateway and the REPL reach it as
 * they reach a page. Node's `http.Server` hands such requests to its `'upgrade'` event:
 * `attachPtth(server, hub)` listens there.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { HttpError } from '../protocol/http-error.ts';
import { DEFAULT_ENDPOINT, INSTANCE_HEADER, SECRET_HEADER } from '../protocol/long-poll-wire.ts';
import { ID_HEADER } from '../protocol/message-http.ts';
import { type AccessOptions, accessGuard } from './access-guard.ts';
import type { ClientSession } from './client-session.ts';
import type { Hub } from './hub.ts';
import { type AnyRequest, REMOTE_ADDRESS_HEADER, takesLight } from './light-request.ts';
import type { RouteHandler } from './long-poll-endpoint.ts';
import { PeerLink } from './peer-link.ts';
import { closingResponseBytes, negotiate, readUpgradeBody, switchingProtocols } from './ptth-handshake.ts';
import { sameToken } from './tokens.ts';

/** The header of the 101 that tells a peer where its acknowledgements start (a new session). */
export const PTTH_ACK_HEADER = 'Ptth-Ack';

/** Largest body an upgrade request may carry (identity rides in the URL and headers). */
const UPGRADE_BODY_LIMIT = 64 * 1024;

/** Options of the PTTH endpoint: where it is mounted and who may use it. */
export interface PtthOptions extends AccessOptions {
  /** Where the ptth endpoints are mounted; the reverse path is `{endpoint}/reverse`. Default `/ptth`. */
  endpoint?: string;
}

/** The PTTH endpoint of a hub. */
export interface PtthEndpoint {
  /** The path of the reverse endpoint, e.g. `/ptth/reverse`. */
  readonly path: string;
  /**
   * Handles an `'upgrade'` event of a `node:http` server; returns `false` (touching nothing)
   * when the request is not for the reverse path, so other upgrade handlers may take it.
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** The turned sockets open now. */
  readonly sockets: number;
  /** Closes every turned socket (and any handshake in progress). */
  close(): void;
}

/** The request URL of an incoming message, for the access guard (the Host is checked there). */
function requestUrl(req: IncomingMessage): URL {
  const host = req.headers.host ?? '';
  try {
    return new URL(req.url ?? '/', `http://${host}`);
  } catch {
    throw new HttpError(400, `Invalid Host header ${JSON.stringify(host)} or target ${JSON.stringify(req.url)}`);
  }
}

/** A route answering requests to the reverse path that Node did not treat as upgrades: 426 or 400. */
export function ptthRoute(endpoint = DEFAULT_ENDPOINT): RouteHandler {
  const path = `${endpoint}/reverse`;
  return takesLight(async (request: AnyRequest) => {
    if (new URL(request.url).pathname !== path) return null;
    try {
      negotiate(request.headers.get('upgrade') ?? undefined, request.headers.get('connection') ?? undefined, path);
      // Node sends a request with both headers to 'upgrade'; one gets here only without a listener.
      throw new HttpError(503, `${path} is not attached to this server's 'upgrade' event (attachPtth)`);
    } catch (error) {
      if (error instanceof HttpError) return error.toResponse();
      throw error;
    }
  });
}

/** The PTTH endpoint of `hub`: call its `upgrade` from a server's `'upgrade'` event. */
export function ptthEndpoint(hub: Hub, options: PtthOptions = {}): PtthEndpoint {
  const endpoint = options.endpoint ?? DEFAULT_ENDPOINT;
  const path = `${endpoint}/reverse`;
  const guard = accessGuard(options, endpoint);
  const links = new Map<string, PeerLink>();
  const open = new Set<Duplex>();

  /** A peer of the same process (instance) joins its session with another socket; others connect. */
  async function sessionFor(req: IncomingMessage, url: URL, address: string) {
    const header = (name: string) => {
      const value = req.headers[name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    };
    if (url.searchParams.has('secret')) {
      throw new HttpError(400, `Send the secret in the ${SECRET_HEADER} header, never in the URL`);
    }
    const id = url.searchParams.get('id') ?? header(ID_HEADER) ?? undefined;
    const secret = header(SECRET_HEADER);
    const instance = url.searchParams.get('instance') ?? header(INSTANCE_HEADER) ?? '';
    const existing: ClientSession | undefined = id === undefined ? undefined : await hub.session(id);
    const joins =
      existing !== undefined &&
      existing.transport === 'ptth' &&
      instance !== '' &&
      existing.instance === instance &&
      sameToken(secret ?? '', existing.secret);
    if (existing && joins) return { session: existing, fresh: false };
    const dom = url.searchParams.get('dom');
    const { session } = await hub.connect({
      url: url.searchParams.get('url') ?? `ptth://${address}`,
      userAgent: header('user-agent') ?? '',
      transport: 'ptth',
      dom: dom === '1' || dom === 'true',
      id,
      secret,
      instance,
      address,
    });
    return { session, fresh: true };
  }

  async function linkOf(session: ClientSession): Promise<PeerLink> {
    // Links of sessions the hub forgot while they had no socket are dropped as new peers come.
    for (const [id, link] of Array.from(links)) {
      if (link.closed || (link.sockets === 0 && !(await link.alive()))) links.delete(id);
    }
    const known = links.get(session.id);
    if (known && known.session === session && !known.closed) return known;
    known?.close();
    const link = new PeerLink(hub, session);
    links.set(session.id, link);
    return link;
  }

  async function accept(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    const address = req.socket.remoteAddress ?? '';
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
    }
    headers.set(REMOTE_ADDRESS_HEADER, address);
    const refused = await guard(new Request(url, { headers }));
    if (refused) throw refused;
    const version = negotiate(req.headers.upgrade, req.headers.connection, path);
    const { rest } = await readUpgradeBody(req, socket, head, UPGRADE_BODY_LIMIT);
    const { session, fresh } = await sessionFor(req, url, address);
    if (socket.destroyed) return;
    if (rest.length > 0) socket.unshift(rest);
    const link = await linkOf(session);
    const turned = await link.add(socket as Socket);
    const extra: Record<string, string> = { [ID_HEADER]: session.id, [SECRET_HEADER]: session.secret };
    if (fresh) extra[PTTH_ACK_HEADER] = String(await hub.store.lastSeq(session.id));
    turned.open(switchingProtocols(version, extra));
  }

  return {
    path,
    get sockets() {
      return open.size;
    },
    upgrade(req, socket, head) {
      let url: URL;
      try {
        url = requestUrl(req);
      } catch {
        url = new URL('http://invalid/');
      }
      if (url.pathname !== path) return false;
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => socket.destroy());
      accept(req, socket, head, url).catch(async (error: unknown) => {
        const response =
          error instanceof Response
            ? error
            : error instanceof HttpError
              ? error.toResponse()
              : new HttpError(
                  500,
                  `The upgrade failed: ${error instanceof Error ? error.message : String(error)}`,
                ).toResponse();
        if (socket.destroyed) return;
        socket.end(await closingResponseBytes(response, req.method));
      });
      return true;
    },
    close() {
      for (const link of links.values()) link.close();
      links.clear();
      for (const socket of open) socket.destroy();
      open.clear();
    },
  };
}

/**
 * Serves PTTH on an existing `node:http` server: listens to its `'upgrade'` event (leaving other
 * paths to other listeners, or answering them 404 when there are none) and closes the turned
 * sockets when the server closes.
 */
export function attachPtth(server: Server, hub: Hub, options: PtthOptions = {}): PtthEndpoint {
  const ptth = ptthEndpoint(hub, options);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (ptth.upgrade(req, socket, head) || server.listenerCount('upgrade') > 1) return;
    void closingResponseBytes(
      new HttpError(404, `No upgrade is served at ${req.url}; PTTH is at ${ptth.path}`).toResponse(),
    )
      .then((bytes) => socket.end(bytes))
      .catch(() => socket.destroy());
  });
  server.on('close', () => ptth.close());
  return ptth;
}
