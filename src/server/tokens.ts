/**
 * Client ids and secrets: 128 random bits in base64url, drawn from a pool, checked for shape
 * and compared in constant time.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** The shape of ids and secrets: 128 bits in base64url. */
export const TOKEN = /^[A-Za-z0-9_-]{22}$/;

/** Compares two tokens in constant time. */
export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Random bytes drawn 4 KiB at a time: one call to the system's generator per 256 tokens, not per token. */
let tokenPool = Buffer.alloc(0);
let tokenOffset = 0;

/**
 * A new client id: a token that does not begin with `-`, which a command line would read as an
 * option (`ptth get -Xq3 //h1`). Drawn again when it does (1 in 64), which leaves it 127.98 bits.
 */
export function clientIdToken(): string {
  for (;;) {
    const token = randomToken();
    if (!token.startsWith('-')) return token;
  }
}

/** 128 random bits, base64url: ids and secrets that cannot be guessed. */
export function randomToken(): string {
  if (tokenOffset + 16 > tokenPool.length) {
    tokenPool = randomBytes(4_096);
    tokenOffset = 0;
  }
  tokenOffset += 16;
  return tokenPool.toString('base64url', tokenOffset - 16, tokenOffset);
}
