/**
 * The isomorphic message model: a reverse request (made by the server on a client) and the
 * reverse response that answers it. Both transports (long-poll JSON, `message/http`) carry these.
 */

/** Bytes backed by a plain `ArrayBuffer`, as fetch bodies need. */
export type Bytes = Uint8Array<ArrayBuffer>;

/** Header fields in wire order; names keep the case they were given, repeats are allowed. */
export type HeaderList = Array<[name: string, value: string]>;

/** A request the server makes on a client. `id` matches it with its response. */
export interface ReverseRequest {
  /** Unique per hub; echoed by the response. */
  id: string;
  method: string;
  /** The request path, still percent-encoded, always beginning with `/`. */
  path: string;
  /** The query string without `?`, still percent-encoded; `''` when there is none. */
  query: string;
  headers: HeaderList;
  /** The body bytes; `null` when the request has no body. */
  body: Bytes | null;
  /**
   * The delivery sequence number on a long-poll client (1, 2, ...), set by the hub when it first
   * delivers the request and kept on redelivery; the client acknowledges by it.
   */
  seq?: number;
}

/** The client's answer to a reverse request with the same `id`. */
export interface ReverseResponse {
  id: string;
  status: number;
  /** The reason phrase; `''` lets printers use the standard one. */
  statusText: string;
  headers: HeaderList;
  body: Bytes | null;
}

/** Methods whose requests carry no body in the fetch `Request` class. */
export function isBodilessMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

/** The first value of a header, compared case-insensitively; `null` when absent. */
export function headerValue(headers: HeaderList, name: string): string | null {
  const wanted = name.toLowerCase();
  for (const [key, value] of headers) if (key.toLowerCase() === wanted) return value;
  return null;
}
