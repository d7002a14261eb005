/**
 * The peer's half of the Reverse HTTP handshake: it dials out (so it works behind NAT), sends
 * `POST {url}` with `Upgrade: PTTH/1.0` and `Connection: Upgrade`, and on `101 Switching
 * Protocols` keeps the socket, on which the server will now send requests. Any other answer is
 * an `UpgradeRefused` carrying the status, so the caller can fall back to long-polling.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { INSTANCE_HEADER, SECRET_HEADER } from '../protocol/long-poll-wire.ts';
import { ID_HEADER } from '../protocol/message-http.ts';

/** The header of the 101 that tells a peer where its acknowledgements start (a new session). */
export const ACK_HEADER_101 = 'Ptth-Ack';

/** What the peer says about itself when it dials. */
export interface DialIdentity {
  /** The id (and secret) it had, to keep it; absent the first time. */
  id?: string | undefined;
  secret?: string | undefined;
  /** The name of this peer process: sockets with the same one share a session. */
  instance: string;
  /** Reported as the client's `url` in `GET /ptth/clients`. */
  url?: string | undefined;
  /** The peer serves only a DOM at XPath paths (the gateway checks them first). */
  dom?: boolean;
  /** Sent as `Authorization: Bearer <token>` (a server with `PTTH_TOKEN` wants it). */
  token?: string | undefined;
  /** Sent as `User-Agent`. */
  userAgent?: string;
}

/** A turned socket, and what the 101 said. */
export interface Dialed {
  socket: Socket;
  /** Bytes that came after the 101 in the same read: the first requests. */
  head: Buffer;
  id: string;
  secret: string;
  /** Present when the hub started a new session: acknowledgements start here. */
  ack: number | null;
  /** The version the server answered, `PTTH/1.0` or `PTTH/0.9`. */
  version: string;
}

/** The server answered the upgrade with something else than 101. */
export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`the upgrade was answered ${status}: ${body.slice(0, 300)}`);
    this.name = 'UpgradeRefused';
  }
}

function single(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/** How long the handshake may take before it is given up. */
const DIAL_DEADLINE_MS = 30_000;

/** Dials `url` and turns the connection around; rejects with `UpgradeRefused` or a network error. */
export function dial(url: string, identity: DialIdentity, signal?: AbortSignal): Promise<Dialed> {
  const target = new URL(url);
  if (identity.id !== undefined) target.searchParams.set('id', identity.id);
  target.searchParams.set('instance', identity.instance);
  if (identity.url !== undefined) target.searchParams.set('url', identity.url);
  if (identity.dom) target.searchParams.set('dom', '1');
  const headers: Record<string, string> = {
    Upgrade: 'PTTH/1.0',
    Connection: 'Upgrade',
    'Content-Length': '0',
    'User-Agent': identity.userAgent ?? `ptth-peer node/${process.versions.node}`,
  };
  if (identity.secret !== undefined) headers[SECRET_HEADER] = identity.secret;
  headers[INSTANCE_HEADER] = identity.instance;
  if (identity.token !== undefined) headers.Authorization = `Bearer ${identity.token}`;
  const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, {
    method: 'POST',
    headers,
    agent: false,
  });
  const timer = setTimeout(
    () => request.destroy(new Error(`No answer to the upgrade within ${DIAL_DEADLINE_MS} ms`)),
    DIAL_DEADLINE_MS,
  );
  const abort = () => request.destroy(signal?.reason ?? new Error('aborted'));
  signal?.addEventListener('abort', abort, { once: true });
  const done = () => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', abort);
  };
  return new Promise<Dialed>((resolve, reject) => {
    request.on('upgrade', (res: IncomingMessage, socket: Socket, head: Buffer) => {
      done();
      // The turned socket lives as long as the hub keeps it: no idle timeout, TCP keep-alive.
      socket.setTimeout(0);
      socket.setKeepAlive(true, 30_000);
      socket.setNoDelay(true);
      const version = single(res.headers.upgrade);
      const id = single(res.headers[ID_HEADER.toLowerCase()]);
      const secret = single(res.headers[SECRET_HEADER.toLowerCase()]);
      if (!/^PTTH\/(?:1\.0|0\.9)$/i.test(version) || id === '' || secret === '') {
        socket.destroy();
        reject(
          new Error(`The 101 is not a PTTH one (Upgrade: ${version || '(none)'}, ${ID_HEADER}: ${id || '(none)'})`),
        );
        return;
      }
      const ack = res.headers[ACK_HEADER_101.toLowerCase()];
      resolve({ socket, head, id, secret, ack: ack === undefined ? null : Number(single(ack)), version });
    });
    request.on('response', (res: IncomingMessage) => {
      done();
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => reject(new UpgradeRefused(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
      res.on('error', reject);
    });
    request.on('error', (error) => {
      done();
      reject(error);
    });
    request.end();
  });
}
