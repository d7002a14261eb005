/**
 * A hub on another origin than the page's: the browser hides the answer of a fetch the hub did
 * not allow (CORS) behind a bare `TypeError`, so the transport words its failures with a hint.
 */

/** The page's and the hub's origins, when they differ. */
export interface CrossOrigin {
  page: string;
  hub: string;
}

/** The page's and the hub's origins when the hub at `base` is on another origin, else `null`. */
export function crossOriginOf(base: string): CrossOrigin | null {
  const page = globalThis.location?.origin;
  const hub = page ? new URL(base, globalThis.location.href).origin : undefined;
  return page !== undefined && hub !== page ? { page, hub: hub ?? '' } : null;
}

/**
 * What to add to the reason of a failed fetch to a hub on another origin: most often the hub
 * does not list this page's origin, and the browser hides its answer (a bare TypeError).
 */
export function crossOriginHint(error: unknown, crossOrigin: CrossOrigin | null): string {
  if (!(error instanceof TypeError) || crossOrigin === null) return '';
  const { page, hub } = crossOrigin;
  return ` (the hub at ${hub} is on another origin: it must list ${page} in its allowedOrigins, PTTH_ALLOWED_ORIGINS, or it is unreachable)`;
}
