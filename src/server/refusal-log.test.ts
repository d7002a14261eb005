import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpError } from '../protocol/http-error.ts';
import { Hub } from './hub.ts';
import { logRefusals } from './refusal-log.ts';

describe('logRefusals', () => {
  it('logs each kind of refusal at most once per quiet period, then says how many were left out', (t) => {
    const hub = new Hub();
    t.after(() => hub.close());
    let now = 0;
    const lines: string[] = [];
    const stop = logRefusals(hub, { write: (line) => lines.push(line), quietMs: 1_000, now: () => now });
    const limit = () => new HttpError(429, 'Client "c" is too busy', { extensions: { option: 'requestsPerSecond' } });
    for (let i = 0; i < 5; i++) hub.limits.record(limit(), 'c');
    hub.limits.record(new HttpError(431, 'Too many fields', { extensions: { option: 'maxHeaders' } }), '10.0.0.9');
    hub.emit('refused', '10.0.0.1', 'Address 10.0.0.1 has 100 clients');
    hub.emit('rejected', 'b', 'Client "b" answered requests it was never sent: "x"');
    now = 1_500;
    hub.limits.record(limit(), 'c');
    assert.deepEqual(lines, [
      'ptth: 429 Client "c" is too busy',
      'ptth: 431 Too many fields [10.0.0.9]',
      'ptth: refused a connect from 10.0.0.1: Address 10.0.0.1 has 100 clients',
      'ptth: rejected: Client "b" answered requests it was never sent: "x"',
      'ptth: 429 Client "c" is too busy (4 more like this were not logged)',
    ]);
    assert.equal(hub.stats().limited.requestsPerSecond, 6, 'the counters miss nothing');
    stop();
    now = 5_000;
    hub.limits.record(limit(), 'c');
    assert.equal(lines.length, 5);
  });
});
