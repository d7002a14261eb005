// The bench's CPU meters must see a few milliseconds: a smoke run's bare WebSocket costs the
// renderer about that much, and a meter that counted in 10 ms clock ticks read it as 0 (CI failed
// on it once). A child process spins for a known CPU time, by its own account, while we meter it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { processCpu } from './process-cpu.mjs';

// Spins once untimed (so that V8 has compiled the loop), prints "ready", then for each line read spins until it has used that many more ms of CPU and
// prints the µs it used (process.cpuUsage: getrusage, exact).
const CHILD = `
const readline = require('node:readline');
function spin(ms) {
  const start = process.cpuUsage();
  for (;;) {
    const { user, system } = process.cpuUsage(start);
    if (user + system >= ms * 1000) return user + system;
  }
}
readline.createInterface({ input: process.stdin }).on('line', (line) => console.log(spin(Number(line))));
spin(50);
console.log('ready');
`;

async function spinner() {
  const child = spawn(process.execPath, ['-e', CHILD], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdout.setEncoding('utf8');
  const lines = (async function* () {
    let buffer = '';
    for await (const chunk of child.stdout) {
      buffer += chunk;
      for (let at = buffer.indexOf('\n'); at >= 0; at = buffer.indexOf('\n')) {
        yield buffer.slice(0, at);
        buffer = buffer.slice(at + 1);
      }
    }
  })();
  assert.equal((await lines.next()).value, 'ready');
  // Let its start-up work (compiling, GC) settle before metering it.
  await new Promise((done) => setTimeout(done, 300));
  return {
    pid: child.pid,
    /** Spins the child for `ms` of CPU; resolves with the ms it counted. */
    async spin(ms) {
      child.stdin.write(`${ms}\n`);
      return Number((await lines.next()).value) / 1_000;
    },
    async stop() {
      child.kill();
      await once(child, 'exit');
    },
  };
}

describe('the CPU meter of one process', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
  it('measures a few milliseconds, finer than a clock tick', async () => {
    const child = await spinner();
    try {
      for (const ms of [3, 4]) {
        const cpu = processCpu(child.pid);
        const spun = await child.spin(ms);
        const read = cpu();
        // Its reads and writes and V8's helper threads add up to a few ms (measured: 0.2 to 3.5).
        assert.ok(read >= spun - 0.2 && read < spun + 8, `read ${read} ms while the child spun ${spun} ms`);
        // A meter counting 10 ms clock ticks reads 0 or 10 here.
        assert.notEqual(read % 10, 0, `read ${read} ms: whole clock ticks`);
      }
    } finally {
      await child.stop();
    }
  });

  it('reads null for a process that is gone', async () => {
    const child = await spinner();
    const cpu = processCpu(child.pid);
    await child.stop();
    assert.equal(cpu(), null);
  });
});
