/**
 * How a reverse request path becomes an XPath expression. The path is percent-decoded once, as a
 * whole. A path is a location path as written (`/html/body/h1`, `//li[2]`, `/`), unless what
 * follows its first `/` starts an expression that is not a location path: a function call other
 * than a node test (`count(`, `string(`), `(`, a number, a string literal, `$` or `-`. Then the
 * first `/` is only the separator and is dropped: `/count(//li)` → `count(//li)`.
 */
import { HttpError } from './http-error.ts';

const NODE_TESTS = new Set(['node', 'text', 'comment', 'processing-instruction']);
const FUNCTION_CALL = /^([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*\(/;
const NON_PATH_START = /^[("'0-9$-]|^\.\d/;

/** Percent-decodes a path once, as a whole; a bad escape is a 400. */
export function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw new HttpError(400, `Path ${JSON.stringify(path)} has an invalid percent-encoding`, {
      extensions: { path },
    });
  }
}

/** The XPath expression a reverse request path names (see the module comment for the rule). */
export function expressionOf(path: string): string {
  const decoded = decodePath(path);
  if (!decoded.startsWith('/')) {
    throw new HttpError(400, `Path ${JSON.stringify(decoded)} must begin with "/"`, { extensions: { path } });
  }
  const rest = decoded.slice(1);
  const call = FUNCTION_CALL.exec(rest);
  if (call && !NODE_TESTS.has(call[1] ?? '')) return rest;
  if (NON_PATH_START.test(rest)) return rest;
  return decoded;
}
