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
