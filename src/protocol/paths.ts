/**
 * Paths that survive URL parsing. A fetch `Request` URL resolves `.` and `..` segments and turns
 * `\` into `/`, which would change XPath expressions such as `//li/..` or `//a[@href='/../x']`.
 * `protectPath` rewrites a raw path so the URL parser leaves it alone and percent-decoding it
 * once, as a whole, still gives the original.
 */

const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/** A `\` or a `/` followed by what may start a dot segment. */
const MAY_NEED_PROTECTION = /\\|\/(?:\.|%2e)/i;

/**
 * A raw path made safe for a URL: `\` becomes `%5C`, and the `/` before a `.` or `..` segment
 * becomes `%2F`, so the segment is no longer one. Idempotent.
 */
export function protectPath(path: string): string {
  // Most paths have neither a backslash nor a segment starting with a dot: nothing to rewrite.
  if (!MAY_NEED_PROTECTION.test(path)) return path;
  const segments = path.replace(/\\/g, '%5C').split('/');
  let out = segments[0] ?? '';
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i] ?? '';
    // The first segment keeps its "/": a path must begin with one (and "/.." means "/" anyway).
    out += (i > 1 && DOT_SEGMENT.test(segment) ? '%2F' : '/') + segment;
  }
  return out;
}

/** Percent-encodes an XPath expression as a path, keeping `[ ] ' ( ) @ : *` readable. */
export function pathOf(expression: string): string {
  const encoded = encodeURI(expression)
    .replace(/%5B/g, '[')
    .replace(/%5D/g, ']')
    .replace(/\?/g, '%3F')
    .replace(/#/g, '%23');
  return protectPath(encoded.startsWith('/') ? encoded : `/${encoded}`);
}
