/**
 * A tab's identity with the hub: the client id and secret kept in `sessionStorage`, so the id
 * survives reloads and server restarts (gateway URLs keep working), and a random name for each
 * page load, so a duplicated tab (which copies sessionStorage) is told apart.
 */

/** What is kept per tab and endpoint. */
export interface StoredIdentity {
  id: string;
  secret: string;
}

/** The tab's `sessionStorage`, or `null` where there is none or it may not be used. */
export function defaultStorage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

/** The identity stored under `key`, if any (and well-formed). */
export function loadIdentity(storage: Storage | null, key: string): StoredIdentity | null {
  try {
    const value = JSON.parse(storage?.getItem(key) ?? 'null') as Partial<StoredIdentity> | null;
    return typeof value?.id === 'string' && typeof value.secret === 'string'
      ? { id: value.id, secret: value.secret }
      : null;
  } catch {
    return null;
  }
}

/** Stores (or, with `null`, forgets) the identity under `key`; storage errors are ignored. */
export function saveIdentity(storage: Storage | null, key: string, identity: StoredIdentity | null): void {
  try {
    if (identity === null) storage?.removeItem(key);
    else storage?.setItem(key, JSON.stringify(identity));
  } catch {
    // A full or forbidden storage only costs the id its stability.
  }
}

/** 128 random bits in base64url: the name of one page load. */
export function randomName(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}
