import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { it } from 'node:test';

it('importing the server package loads neither node:repl nor node:domain (which slows every EventEmitter)', () => {
  const script =
    "await import('./src/server/index.ts');" +
    'console.log(JSON.stringify(process.moduleLoadList.filter((m) => /^NativeModule (repl|domain)$/.test(m))));';
  const loaded = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  assert.deepEqual(JSON.parse(loaded.trim().split('\n').at(-1) ?? '[]'), []);
});
