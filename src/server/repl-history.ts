/**
 * Where the REPL keeps its history across runs: `~/.ptth_repl_history`, another file named by
 * `PTTH_REPL_HISTORY`, or none when that is empty or the file cannot be written.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The history file the environment asks for; `null` when history is turned off. */
export function historyPath(env: Record<string, string | undefined>, home: string): string | null {
  const given = env.PTTH_REPL_HISTORY;
  if (given !== undefined) return given.trim() === '' ? null : given;
  return home ? join(home, '.ptth_repl_history') : null;
}

/** Whether history can be kept at `path`: the file is writable, or it does not exist and its folder is. */
export function canKeepHistory(path: string): boolean {
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat && !stat.isFile()) return false;
    accessSync(stat ? path : dirname(path), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
