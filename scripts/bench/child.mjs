// Running the bench's child processes: with the file-descriptor limit raised to its hard limit
// (thousands of sockets per process), JSON results on stdout or over IPC.
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The soft and hard limits on open files of processes started from here. */
export function fileLimits() {
  const read = (flag) =>
    Number(
      execFileSync('sh', ['-c', `ulimit ${flag}`])
        .toString()
        .trim(),
    );
  const hard = execFileSync('sh', ['-c', 'ulimit -Hn']).toString().trim();
  return { soft: read('-n'), hard: hard === 'unlimited' ? Number.POSITIVE_INFINITY : Number(hard) };
}

/** Spawns `node [nodeArgs] scripts/bench/{file} [args]` with `ulimit -n` at its hard limit and an IPC channel. */
export function spawnNode(file, args = [], nodeArgs = []) {
  const script = fileURLToPath(new URL(file, import.meta.url));
  const quoted = [process.execPath, ...nodeArgs, script, ...args].map((arg) => `'${arg.replaceAll("'", "'\\''")}'`);
  return spawn('sh', ['-c', `ulimit -n "$(ulimit -Hn)"; exec ${quoted.join(' ')}`], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
}

/** Runs a child to its end and parses what it printed as JSON. */
export function runJson(file, args = [], nodeArgs = []) {
  return new Promise((resolve, reject) => {
    const child = spawnNode(file, args, nodeArgs);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${file} exited with ${code}`));
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`${file} printed no JSON: ${out.slice(0, 200)}`));
      }
    });
  });
}

/** Sends `message` to `child` and resolves with its reply (the next message of the same type). */
export function ask(child, message) {
  return new Promise((resolve, reject) => {
    const onMessage = (reply) => {
      if (reply.type !== message.type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (reply.error) reject(new Error(`${message.type}: ${reply.error}`));
      else resolve(reply);
    };
    const onExit = (code) => reject(new Error(`a child exited (${code}) during "${message.type}"`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (message.type !== 'ready') child.send(message);
  });
}

/** Answers the parent's messages with `handlers[type](message)`, errors included, then says it is ready. */
export function serveParent(handlers, ready = {}) {
  process.on('message', async (message) => {
    try {
      process.send({ type: message.type, ...(await handlers[message.type](message)) });
    } catch (error) {
      process.send({ type: message.type, error: error instanceof Error ? error.message : String(error) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready', ...ready });
}
