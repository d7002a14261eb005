/**
 * The JSON encoding of reverse messages on the long-poll wire. Bodies that are valid UTF-8
 * travel as `body` text, any other bytes as `body64` (base64), so binary bodies survive.
 */
import { fromBase64, toBase64, utf8, utf8TextOrNull } from './bytes.ts';
import { HttpError } from './http-error.ts';
import type { Bytes, HeaderList, ReverseRequest, ReverseResponse } from './message.ts';
import { heldText } from './text-response.ts';

/** A reverse request as JSON. */
export interface WireRequest {
  id: string;
  seq?: number;
  method: string;
  path: string;
  query?: string;
  headers: HeaderList;
  body?: string;
  body64?: string;
}

/** A reverse response as JSON. */
export interface WireResponse {
  id: string;
  status: number;
  statusText?: string;
  headers: HeaderList;
  body?: string;
  body64?: string;
}

function encodeBody(body: Bytes | null): { body?: string; body64?: string } {
  if (body === null) return {};
  const text = utf8TextOrNull(body);
  return text === null ? { body64: toBase64(body) } : { body: text };
}

function fail(what: string, detail: string): never {
  throw new HttpError(400, `Malformed ${what}: ${detail}`);
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(what, 'expected a JSON object');
  }
  return value as Record<string, unknown>;
}

function stringField(obj: Record<string, unknown>, key: string, what: string): string {
  const value = obj[key];
  if (typeof value !== 'string') fail(what, `"${key}" must be a string`);
  return value;
}

function decodeHeaders(value: unknown, what: string): HeaderList {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(what, '"headers" must be an array of [name, value] pairs');
  return value.map((pair) => {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      fail(what, `header ${JSON.stringify(pair)} is not a [name, value] pair of strings`);
    }
    return [pair[0], pair[1]] as [string, string];
  });
}

function decodeBody(obj: Record<string, unknown>, what: string): Bytes | null {
  if (obj.body !== undefined && obj.body64 !== undefined) fail(what, 'has both "body" and "body64"');
  if (obj.body !== undefined) return utf8(stringField(obj, 'body', what));
  if (obj.body64 !== undefined) {
    try {
      return fromBase64(stringField(obj, 'body64', what));
    } catch {
      fail(what, '"body64" is not valid base64');
    }
  }
  return null;
}

/** A reverse request as its JSON object. */
export function encodeWireRequest(request: ReverseRequest): WireRequest {
  const wire: WireRequest = { id: request.id, method: request.method, path: request.path, headers: request.headers };
  if (request.query !== '') wire.query = request.query;
  if (request.seq !== undefined) wire.seq = request.seq;
  return Object.assign(wire, encodeBody(request.body));
}

/** A reverse request from its JSON object; throws a 400 `HttpError` naming what is wrong. */
export function decodeWireRequest(value: unknown): ReverseRequest {
  const what = 'reverse request';
  const obj = record(value, what);
  const path = stringField(obj, 'path', what);
  if (!path.startsWith('/')) fail(what, `path ${JSON.stringify(path)} must begin with "/"`);
  const request: ReverseRequest = {
    id: stringField(obj, 'id', what),
    method: stringField(obj, 'method', what),
    path,
    query: obj.query === undefined ? '' : stringField(obj, 'query', what),
    headers: decodeHeaders(obj.headers, what),
    body: decodeBody(obj, what),
  };
  if (obj.seq !== undefined) {
    if (typeof obj.seq !== 'number' || !Number.isSafeInteger(obj.seq) || obj.seq < 1) {
      fail(what, `"seq" must be a positive integer, got ${JSON.stringify(obj.seq)}`);
    }
    request.seq = obj.seq;
  }
  return request;
}

/** A reverse response as its JSON object; a body held as text (`TextResponse`) goes as it is. */
export function encodeWireResponse(response: ReverseResponse): WireResponse {
  const wire: WireResponse = { id: response.id, status: response.status, headers: response.headers };
  if (response.statusText !== '') wire.statusText = response.statusText;
  const text = heldText(response);
  if (text !== null) {
    wire.body = text;
    return wire;
  }
  return Object.assign(wire, encodeBody(response.body));
}

/** A reverse response from its JSON object; throws a 400 `HttpError` naming what is wrong. */
export function decodeWireResponse(value: unknown): ReverseResponse {
  const what = 'reverse response';
  const obj = record(value, what);
  const status = obj.status;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
    fail(what, `"status" must be an integer from 100 to 599, got ${JSON.stringify(status)}`);
  }
  return {
    id: stringField(obj, 'id', what),
    status,
    statusText: obj.statusText === undefined ? '' : stringField(obj, 'statusText', what),
    headers: decodeHeaders(obj.headers, what),
    body: decodeBody(obj, what),
  };
}
