import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { canKeepHistory, historyPath } from './repl-history.ts';

describe('REPL history', () => {
  const cases: Array<[string, Record<string, string>, string, string | null]> = [
    ['is ~/.ptth_repl_history by default', {}, '/home/ada', '/home/ada/.ptth_repl_history'],
    ['is the file PTTH_REPL_HISTORY names', { PTTH_REPL_HISTORY: '/tmp/h' }, '/home/ada', '/tmp/h'],
    ['is off when PTTH_REPL_HISTORY is empty', { PTTH_REPL_HISTORY: ' ' }, '/home/ada', null],
    ['is off without a home', {}, '', null],
  ];
  for (const [name, env, home, expected] of cases) {
    it(name, () => assert.equal(historyPath(env, home), expected));
  }

  it('can be kept in a writable file, or a new one in a writable folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ptth-history-'));
    assert.equal(canKeepHistory(join(dir, 'new')), true);
    writeFileSync(join(dir, 'old'), '1+1\n');
    assert.equal(canKeepHistory(join(dir, 'old')), true);
  });

  it('cannot be kept in a folder, under a missing folder, or (for others than root) a read-only file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ptth-history-'));
    mkdirSync(join(dir, 'folder'));
    assert.equal(canKeepHistory(join(dir, 'folder')), false);
    assert.equal(canKeepHistory(join(dir, 'missing', 'h')), false);
    writeFileSync(join(dir, 'locked'), '');
    chmodSync(join(dir, 'locked'), 0o444);
    // root may write anything; everyone else is refused.
    assert.equal(canKeepHistory(join(dir, 'locked')), process.getuid?.() === 0);
  });
});
