/**
 * Entity tags of serialized nodes and the conditional-request rules of RFC 9110 §13: a strong
 * ETag is a hash of the exact serialization, so equal bytes give equal tags.
 */

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
