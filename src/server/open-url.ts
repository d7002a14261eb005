/**
 * `open(id)` in the REPL: the page's URL, printed always, and opened in a browser only where
 * one can show: `open` on macOS, `xdg-open` on a desktop (a `DISPLAY` or `WAYLAND_DISPLAY`)
 * when it is installed. A headless machine gets the URL printed and nothing launched.
 */
import { spawn, spawnSync } from 'node:child_process';

/** The command that would open a URL here, or `null` when none should be run. */
export function opener(
  platform: string,
  env: Record<string, string | undefined>,
  installed: (command: string) => boolean,
): string | null {
  if (platform === 'darwin') return 'open';
  if (platform === 'win32') return null;
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return null;
  return installed('xdg-open') ? 'xdg-open' : null;
}

/** Whether a command is on the PATH. */
export function installed(command: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' }).status === 0;
}

/** Opens `url` with `command`, detached, ignoring failures (the URL was printed anyway). */
export function launch(command: string, url: string): void {
  try {
    const child = spawn(command, [url], { detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
  } catch {}
}
