/**
 * Entity tags of serialized nodes and the conditional-request rules of RFC 9110 §13: a strong
 * ETag is a hash of the exact serialization, so equal bytes give equal tags.
 */

import { HttpError } from '../protocol/http-error.ts';

/** A strong ETag (quoted, 16 hex digits) of a text: two 32-bit FNV-1a hashes with different seeds. */
export function etagOf(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
  }
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
  return `"${hex(a)}${hex(b)}"`;
}

/** The entity tags of an `If-Match`/`If-None-Match` value; `['*']` for `*`. */
export function parseTags(header: string): string[] {
  if (header.trim() === '*') return ['*'];
  return Array.from(header.matchAll(/(W\/)?"[^"]*"/g), (match) => match[0]);
}

/** `If-Match` (strong comparison): does the header accept a resource with `etag` (null: none exists)? */
export function ifMatch(header: string, etag: string | null): boolean {
  const tags = parseTags(header);
  if (etag === null) return false;
  return tags.includes('*') || tags.includes(etag);
}

/** `If-None-Match` (weak comparison): does the header name the resource's current state? */
export function noneMatchHits(header: string, etag: string | null): boolean {
  const tags = parseTags(header);
  if (etag === null) return false;
  const bare = etag.replace(/^W\//, '');
  return tags.includes('*') || tags.some((tag) => tag.replace(/^W\//, '') === bare);
}

/**
 * RFC 9110 §13.2.2 for writes: If-Match must match, If-None-Match must not. Called after the
 * checks that need no body (404, 405, 409, 415), which take precedence (§13.2.1); the ETag is
 * computed only when a condition asks for it.
 */
export function preconditions(
  request: { headers: { get(name: string): string | null } },
  current: string | null | (() => string | null),
): void {
  const match = request.headers.get('if-match');
  const noneMatch = request.headers.get('if-none-match');
  if (match === null && noneMatch === null) return;
  const etag = typeof current === 'function' ? current() : current;
  if (match !== null && !ifMatch(match, etag)) {
    throw new HttpError(412, `If-Match ${match} does not match the current ETag ${etag ?? '(none: no such node)'}`, {
      extensions: { etag },
    });
  }
  if (noneMatch !== null && noneMatchHits(noneMatch, etag)) {
    throw new HttpError(412, `If-None-Match ${noneMatch} matches the current ETag ${etag}`, { extensions: { etag } });
  }
}
