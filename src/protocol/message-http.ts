/**
 * `message/http` (RFC 9112 messages as bytes) for reverse requests and responses. A batch is a
 * pipelined sequence of messages, each framed by `Content-Length` (or chunked on input), exactly
 * as on a turned PTTH socket. The message id rides in the `Ptth-Id` header.
 */
import { concatBytes } from './bytes.ts';
import { HttpError, reasonPhrase } from './http-error.ts';
import type { Bytes, HeaderList, ReverseRequest, ReverseResponse } from './message.ts';

/** The header that carries a message's id in `message/http`. */
export const ID_HEADER = 'Ptth-Id';

/** The header that carries a request's delivery sequence number in `message/http`. */
export const SEQ_HEADER = 'Ptth-Seq';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FRAMING = new Set(['content-length', 'transfer-encoding']);

function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return text;
}

function latin1Bytes(text: string): Bytes {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  return bytes;
}

/** Field values may not hold CR, LF or NUL: they would end the line and smuggle in more. */
const UNSAFE = /[\r\n\0]/;

function checkField(name: string, value: string): void {
  if (!TOKEN.test(name)) throw new HttpError(400, `Cannot print header name ${JSON.stringify(name)}: not a token`);
  if (UNSAFE.test(value)) throw new HttpError(400, `Cannot print header ${name}: its value holds CR, LF or NUL`);
}

function printMessage(
  startLine: string,
  id: string,
  headers: HeaderList,
  body: Bytes | null,
  keepLength = false,
): Bytes {
  if (UNSAFE.test(startLine)) throw new HttpError(400, `Cannot print start line ${JSON.stringify(startLine)}`);
  let head = `${startLine}\r\n`;
  if (id !== '') {
    checkField(ID_HEADER, id);
    head += `${ID_HEADER}: ${id}\r\n`;
  }
  for (const [name, value] of headers) {
    checkField(name, value);
    const lower = name.toLowerCase();
    // A bodiless response (to HEAD, or 204/304) may state a length it does not carry.
    const keep = keepLength && body === null && lower === 'content-length';
    if ((FRAMING.has(lower) && !keep) || lower === ID_HEADER.toLowerCase()) continue;
    head += `${name}: ${value}\r\n`;
  }
  if (body !== null) head += `Content-Length: ${body.length}\r\n`;
  head += '\r\n';
  return body === null ? latin1Bytes(head) : concatBytes([latin1Bytes(head), body]);
}

/** A reverse request as `message/http` bytes; an empty `Host` is added when there is none. */
export function printRequest(request: ReverseRequest): Bytes {
  if (!TOKEN.test(request.method)) throw new HttpError(400, `Cannot print method ${JSON.stringify(request.method)}`);
  if (/\s/.test(request.path + request.query)) {
    throw new HttpError(400, `Cannot print a request target with whitespace: ${JSON.stringify(request.path)}`);
  }
  const target = request.path + (request.query === '' ? '' : `?${request.query}`);
  const hasHost = request.headers.some(([name]) => name.toLowerCase() === 'host');
  const withHost: HeaderList = hasHost ? request.headers : [['Host', ''], ...request.headers];
  const headers: HeaderList = request.seq === undefined ? withHost : [[SEQ_HEADER, String(request.seq)], ...withHost];
  return printMessage(`${request.method} ${target} HTTP/1.1`, request.id, headers, request.body);
}

/** A reverse response as `message/http` bytes. */
export function printResponse(response: ReverseResponse): Bytes {
  const reason = response.statusText || reasonPhrase(response.status) || 'Unknown';
  return printMessage(`HTTP/1.1 ${response.status} ${reason}`, response.id, response.headers, response.body, true);
}

/** Prints several messages as one pipelined batch. */
export function printBatch<T>(messages: readonly T[], print: (message: T) => Uint8Array): Bytes {
  return concatBytes(messages.map(print));
}

interface Head {
  startLine: string;
  id: string;
  headers: HeaderList;
  body: Bytes | null;
  end: number;
}

/**
 * A message cut short: more bytes may complete it. Still a 400 `HttpError` for whole-buffer
 * parsers; the stream parser (response-stream.ts) waits for more bytes instead.
 */
export class IncompleteMessage extends HttpError {}

function headEnd(bytes: Uint8Array, from: number): { end: number; bodyStart: number } | null {
  for (let i = from; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    // RFC 9112 §2.2: a recipient may accept a bare LF as a line terminator.
    if (bytes[i + 1] === 0x0a) return { end: i, bodyStart: i + 2 };
    if (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) return { end: i, bodyStart: i + 3 };
  }
  return null;
}

function readChunked(bytes: Uint8Array, start: number, at: string): { body: Bytes; end: number } {
  const chunks: Uint8Array[] = [];
  let pos = start;
  for (;;) {
    const lineEnd = bytes.indexOf(0x0a, pos);
    if (lineEnd < 0) throw new IncompleteMessage(400, `Truncated chunked body ${at}`);
    const sizeText = latin1(bytes.subarray(pos, lineEnd)).replace(/\r$/, '').split(';')[0]?.trim() ?? '';
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new HttpError(400, `Bad chunk size "${sizeText}" ${at}`);
    const size = Number.parseInt(sizeText, 16);
    pos = lineEnd + 1;
    if (size === 0) {
      // Skip trailer fields up to the empty line.
      for (;;) {
        const end = bytes.indexOf(0x0a, pos);
        if (end < 0) throw new IncompleteMessage(400, `Truncated chunked trailer ${at}`);
        const line = latin1(bytes.subarray(pos, end)).replace(/\r$/, '');
        pos = end + 1;
        if (line === '') return { body: concatBytes(chunks), end: pos };
      }
    }
    if (pos + size > bytes.length) throw new IncompleteMessage(400, `Truncated chunk ${at}`);
    chunks.push(bytes.subarray(pos, pos + size));
    pos += size;
    if (pos + 1 >= bytes.length && (pos >= bytes.length || bytes[pos] === 0x0d)) {
      throw new IncompleteMessage(400, `Truncated chunk ${at}`);
    }
    if (bytes[pos] === 0x0d) pos++;
    if (bytes[pos] !== 0x0a) throw new HttpError(400, `Chunk not followed by CRLF ${at}`);
    pos++;
  }
}

/** Says whether a message has no body whatever its framing headers say (RFC 9112 §6.3). */
type Bodiless = (startLine: string, id: string) => boolean;

function parseHead(bytes: Uint8Array, start: number, bodiless: Bodiless): Head {
  const at = `in the message at byte ${start}`;
  const found = headEnd(bytes, start);
  if (found === null) throw new IncompleteMessage(400, `Incomplete message head ${at}`);
  const lines = latin1(bytes.subarray(start, found.end))
    .split('\n')
    .map((line) => line.replace(/\r$/, ''));
  const startLine = lines.shift() ?? '';
  const headers: HeaderList = [];
  let id = '';
  let length: number | null = null;
  let chunked = false;
  for (const line of lines) {
    if (line.startsWith(' ') || line.startsWith('\t')) throw new HttpError(400, `Obsolete line folding ${at}`);
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!TOKEN.test(name)) throw new HttpError(400, `Malformed header line ${JSON.stringify(line)} ${at}`);
    const value = line.slice(colon + 1).trim();
    if (UNSAFE.test(value)) throw new HttpError(400, `A header value holds CR or NUL ${at}`);
    const lower = name.toLowerCase();
    if (lower === ID_HEADER.toLowerCase()) id = value;
    else if (lower === 'content-length') {
      if (!/^\d+$/.test(value) || (length !== null && length !== Number(value))) {
        throw new HttpError(400, `Bad Content-Length "${value}" ${at}`);
      }
      length = Number(value);
    } else if (lower === 'transfer-encoding') {
      if (value.toLowerCase() !== 'chunked') throw new HttpError(400, `Unsupported Transfer-Encoding "${value}" ${at}`);
      chunked = true;
    } else headers.push([name, value]);
  }
  // RFC 9112 §6.1: both framings at once is how requests get smuggled; refuse it.
  if (chunked && length !== null) throw new HttpError(400, `Both Transfer-Encoding and Content-Length ${at}`);
  if (bodiless(startLine, id)) {
    if (length !== null) headers.push(['Content-Length', String(length)]);
    return { startLine, id, headers, body: null, end: found.bodyStart };
  }
  if (chunked) {
    const { body, end } = readChunked(bytes, found.bodyStart, at);
    return { startLine, id, headers, body, end };
  }
  if (length === null) return { startLine, id, headers, body: null, end: found.bodyStart };
  const end = found.bodyStart + length;
  if (end > bytes.length) throw new IncompleteMessage(400, `Body shorter than its Content-Length ${length} ${at}`);
  return { startLine, id, headers, body: bytes.slice(found.bodyStart, end), end };
}

/** What a batch held up to the first message that could not be parsed (`error`). */
export interface ParsedBatch<T> {
  messages: T[];
  error: HttpError | null;
}

function parseAll<T>(bytes: Uint8Array, parseOne: (head: Head) => T, bodiless: Bodiless): ParsedBatch<T> {
  const messages: T[] = [];
  let pos = 0;
  try {
    while (pos < bytes.length) {
      // Tolerate blank lines between pipelined messages (RFC 9112 §2.2).
      if (bytes[pos] === 0x0d || bytes[pos] === 0x0a) {
        pos++;
        continue;
      }
      const head = parseHead(bytes, pos, bodiless);
      messages.push(parseOne(head));
      pos = head.end;
    }
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    return { messages, error };
  }
  return { messages, error: null };
}

function complete<T>(batch: ParsedBatch<T>): T[] {
  if (batch.error) throw batch.error;
  return batch.messages;
}

const NO_BODY_STATUS = /^HTTP\/1\.[01] (?:1\d\d|204|304)\b/;

function toRequest(head: Head): ReverseRequest {
  const match = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) HTTP\/1\.[01]$/.exec(head.startLine);
  if (!match) throw new HttpError(400, `Malformed request line ${JSON.stringify(head.startLine)}`);
  const target = match[2] ?? '';
  if (!target.startsWith('/')) throw new HttpError(400, `Request target "${target}" must begin with "/"`);
  const q = target.indexOf('?');
  const seqAt = head.headers.findIndex(([name]) => name.toLowerCase() === SEQ_HEADER.toLowerCase());
  const request: ReverseRequest = {
    id: head.id,
    method: match[1] ?? '',
    path: q < 0 ? target : target.slice(0, q),
    query: q < 0 ? '' : target.slice(q + 1),
    headers: seqAt < 0 ? head.headers : head.headers.filter((_, i) => i !== seqAt),
    body: head.body,
  };
  if (seqAt >= 0) {
    const seq = Number(head.headers[seqAt]?.[1]);
    if (!Number.isSafeInteger(seq) || seq < 1)
      throw new HttpError(400, `Bad ${SEQ_HEADER} "${head.headers[seqAt]?.[1]}"`);
    request.seq = seq;
  }
  return request;
}

function toResponse(head: Head): ReverseResponse {
  const match = /^HTTP\/1\.[01] ([1-5]\d\d)(?: (.*))?$/.exec(head.startLine);
  if (!match) throw new HttpError(400, `Malformed status line ${JSON.stringify(head.startLine)}`);
  return {
    id: head.id,
    status: Number(match[1]),
    statusText: match[2] ?? '',
    headers: head.headers,
    body: head.body,
  };
}

/** Parses a pipelined batch of requests; throws a 400 `HttpError` that says where it broke. */
export function parseRequests(bytes: Uint8Array): ReverseRequest[] {
  return complete(parseAll(bytes, toRequest, () => false));
}

/**
 * Parses a pipelined batch of responses as far as it goes. Like any HTTP client, it must know
 * which responses answer a HEAD (`isHead(id)`): those, and 1xx/204/304, have no body whatever
 * their Content-Length says, which they keep as a header.
 */
export function parseResponseBatch(
  bytes: Uint8Array,
  isHead: (id: string) => boolean = () => false,
): ParsedBatch<ReverseResponse> {
  return parseAll(bytes, toResponse, (startLine, id) => NO_BODY_STATUS.test(startLine) || isHead(id));
}

/** Parses a pipelined batch of responses; throws a 400 `HttpError` that says where it broke. */
export function parseResponses(bytes: Uint8Array, isHead?: (id: string) => boolean): ReverseResponse[] {
  return complete(parseResponseBatch(bytes, isHead));
}

/**
 * Parses the one response that starts at byte `start`, or returns `null` when the bytes end
 * before it does (a stream reader then waits for more). A malformed message throws a 400
 * `HttpError`. `isHead` says whether this response answers a HEAD (it then has no body).
 */
export function parseResponseAt(
  bytes: Uint8Array,
  start: number,
  isHead = false,
): { response: ReverseResponse; end: number } | null {
  try {
    const head = parseHead(bytes, start, (startLine) => NO_BODY_STATUS.test(startLine) || isHead);
    return { response: toResponse(head), end: head.end };
  } catch (error) {
    if (error instanceof IncompleteMessage) return null;
    throw error;
  }
}
