/**
 * The Reverse HTTP handshake (draft-lentczner-rhttp-00): which `Upgrade` requests turn a socket
 * around, and the exact bytes of the `101 Switching Protocols` that does it. Real PTTH clients
 * are strict, so the 101 is written exactly as they expect: a reason phrase, CRLF line endings,
 * `Upgrade: PTTH/1.0` in that case, `Connection: Upgrade` alone, the whole head as one buffer.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { HttpError, reasonPhrase } from '../protocol/http-error.ts';

/** The protocol versions a peer may ask for; early clients (Second Life, 2008) sent `PTTH/0.9`. */
export const PTTH_VERSIONS = ['PTTH/1.0', 'PTTH/0.9'] as const;

/** A PTTH protocol version, as written in `Upgrade`. */
export type PtthVersion = (typeof PTTH_VERSIONS)[number];

/** The comma-separated tokens of a header value, trimmed and lowercased. */
function tokens(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token !== '');
}

/**
 * The PTTH version an upgrade request asks for, answered in the version asked (a bare `PTTH`
 * is 1.0). Throws a 426 when `Upgrade` names no PTTH version this server speaks, and a 400 when
 * `Connection` does not carry `upgrade` (RFC 9110 §7.8: `Upgrade` is ignored without it).
 */
export function negotiate(upgrade: string | undefined, connection: string | undefined, target: string): PtthVersion {
  const offered = tokens(upgrade);
  const version = offered
    .map((token) => (token === 'ptth' ? 'PTTH/1.0' : PTTH_VERSIONS.find((known) => known.toLowerCase() === token)))
    .find((known) => known !== undefined);
  if (version === undefined) {
    const asked = offered.length === 0 ? 'no Upgrade header' : `Upgrade: ${upgrade}`;
    throw new HttpError(
      426,
      `${target} turns the connection around with "Upgrade: PTTH/1.0" and "Connection: Upgrade"; this request has ${asked}. Clients that cannot upgrade use the long-poll endpoints instead.`,
      { headers: { upgrade: 'PTTH/1.0', connection: 'Upgrade' } },
    );
  }
  if (!tokens(connection).includes('upgrade')) {
    throw new HttpError(
      400,
      `${target} got "Upgrade: ${upgrade}" without "Connection: Upgrade" (Connection: ${connection ?? '(none)'}), so it cannot switch protocols`,
    );
  }
  return version;
}

/** A header value safe to print: no CR, LF or NUL. */
function checked(name: string, value: string): string {
  if (/[\r\n\0]/.test(value)) throw new HttpError(500, `Cannot print ${name} in the 101: it holds CR, LF or NUL`);
  return value;
}

/**
 * The bytes of the 101 that turns the socket around: the status line with its reason phrase,
 * `Upgrade` with the version asked for, `Connection: Upgrade` alone, then `extra` fields (the
 * peer's id and secret), CRLF throughout.
 */
export function switchingProtocols(version: PtthVersion, extra: Readonly<Record<string, string>> = {}): Buffer {
  let head = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${version}\r\nConnection: Upgrade\r\n`;
  for (const [name, value] of Object.entries(extra)) head += `${name}: ${checked(name, value)}\r\n`;
  return Buffer.from(`${head}\r\n`, 'latin1');
}

/**
 * The bytes of a response written on a socket the HTTP server has let go of (after its
 * `'upgrade'` event), such as a refused upgrade: the response with its body, and
 * `Connection: close`, since the socket is closed after it.
 */
export async function closingResponseBytes(response: Response, method = 'GET'): Promise<Buffer> {
  const body = Buffer.from(await response.arrayBuffer());
  const reason = response.statusText || reasonPhrase(response.status) || 'Error';
  let head = `HTTP/1.1 ${response.status} ${reason}\r\n`;
  response.headers.forEach((value, name) => {
    if (name === 'connection' || name === 'content-length' || name === 'transfer-encoding') return;
    head += `${name}: ${checked(name, value)}\r\n`;
  });
  // A 426 names the protocol to upgrade to, and so must list "upgrade" in Connection (RFC 9110 §7.8).
  head += response.status === 426 ? 'Connection: Upgrade, close\r\n' : 'Connection: close\r\n';
  head += `Content-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), method === 'HEAD' ? Buffer.alloc(0) : body]);
}

/**
 * Reads the body of a request that came through `'upgrade'` (Node leaves it on the socket):
 * `Content-Length` bytes from `head` and the socket. Resolves with the body and the bytes that
 * follow it; a chunked body is a 400, one over `limit` a 413.
 */
export function readUpgradeBody(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  limit: number,
): Promise<{ body: Buffer; rest: Buffer }> {
  if (req.headers['transfer-encoding'] !== undefined) {
    throw new HttpError(400, 'An upgrade request may not have a chunked body; send Content-Length');
  }
  const declared = req.headers['content-length'] ?? '0';
  const length = Number(declared);
  if (!/^\d+$/.test(declared) || !Number.isSafeInteger(length)) {
    throw new HttpError(400, `Bad Content-Length "${declared}"`);
  }
  if (length > limit) throw new HttpError(413, `This request body may hold ${limit} bytes, this one ${length}`);
  const split = (bytes: Buffer) => ({ body: bytes.subarray(0, length), rest: bytes.subarray(length) });
  if (head.length >= length) return Promise.resolve(split(head));
  return new Promise((resolve, reject) => {
    let got = head;
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length < length) return;
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause();
      resolve(split(got));
    };
    const onClose = () => reject(new Error('The socket closed before the request body was read'));
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}
