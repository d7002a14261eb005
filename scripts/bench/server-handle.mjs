// The parent's handle on the bench server process (server-process.mjs).
import { ask, spawnNode } from './child.mjs';

/** Starts the server process; `ask(message)` sends it a command and resolves with the reply. */
export async function startServerProcess() {
  const child = spawnNode('server-process.mjs');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const { url } = await ask(child, { type: 'ready' });
  return {
    url,
    pid: child.pid,
    ask: (message) => ask(child, message),
    async close() {
      await ask(child, { type: 'close' }).catch(() => {});
      child.kill();
      await exited;
    },
  };
}
