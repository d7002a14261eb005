import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientIdToken, randomToken, TOKEN } from './tokens.ts';

describe('tokens', () => {
  it('are 128-bit base64url tokens, all different', () => {
    const tokens = new Set(Array.from({ length: 1_000 }, randomToken));
    assert.equal(tokens.size, 1_000);
    for (const token of tokens) assert.match(token, TOKEN);
  });

  it('never give a client id that a command line reads as an option (a leading "-")', () => {
    // A plain token starts with "-" 1 time in 64: 10,000 ids would show it.
    for (let i = 0; i < 10_000; i++) {
      const id = clientIdToken();
      assert.match(id, TOKEN);
      assert.ok(!id.startsWith('-'), id);
    }
  });
});
