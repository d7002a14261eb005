/**
 * Client ids typed by hand: a unique prefix is enough, and with one client connected the id
 * may be left out. Shared by the REPL and the CLI.
 */
import { HttpError } from '../protocol/http-error.ts';

/** How many ids an error lists before it says "and N more". */
const LISTED = 10;

function listed(ids: readonly string[]): string {
  const shown = ids.slice(0, LISTED).join(', ');
  return ids.length > LISTED ? `${shown} and ${ids.length - LISTED} more` : shown;
}

/**
 * The one id among `ids` that is `given` or starts with it; without `given`, the only id.
 * Throws a 404 `HttpError` when nothing matches and a 409 listing the matches when several do.
 */
export function resolveClientId(ids: readonly string[], given?: string): string {
  if (given === undefined) {
    if (ids.length === 1) return ids[0] as string;
    if (ids.length === 0) throw new HttpError(404, 'No client is connected');
    throw new HttpError(409, `${ids.length} clients are connected; name one: ${listed(ids)}`, {
      extensions: { matches: ids },
    });
  }
  if (ids.includes(given)) return given;
  const matches = ids.filter((id) => id.startsWith(given));
  if (matches.length === 1) return matches[0] as string;
  if (matches.length === 0) {
    const connected = ids.length === 0 ? 'no client is connected' : `connected: ${listed(ids)}`;
    throw new HttpError(404, `No client id starts with "${given}" (${connected})`, { extensions: { client: given } });
  }
  throw new HttpError(409, `"${given}" matches ${matches.length} clients: ${listed(matches)}; type more of the id`, {
    extensions: { client: given, matches },
  });
}
