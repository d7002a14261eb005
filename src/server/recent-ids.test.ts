import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecentIds } from './recent-ids.ts';

describe('RecentIds', () => {
  it('remembers the ids it was given, and only ids of its own hub', () => {
    const ids = new RecentIds('abcd');
    ids.add('abcd.1z');
    assert.ok(ids.has('abcd.1z'));
    assert.ok(!ids.has('abcd.20'));
    assert.ok(!ids.has('wxyz.1z'), 'another hub made that id');
    for (const odd of ['abcd.', 'abcd.1Z', 'abcd.-1', 'abcd', '', 'abcd.zzzzzzzzzzz']) {
      ids.add(odd);
      assert.ok(!ids.has(odd), odd);
    }
  });

  it('keeps the last `capacity` ids, in a ring that grows as needed', () => {
    const ids = new RecentIds('p', 100);
    for (let n = 0; n < 250; n++) ids.add(`p.${n.toString(36)}`);
    assert.ok(!ids.has(`p.${(149).toString(36)}`));
    for (const n of [150, 200, 249]) assert.ok(ids.has(`p.${n.toString(36)}`), String(n));
  });
});
