import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamChoice } from './stream-choice.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('StreamChoice', () => {
  it('asks for streams, stops, and asks again once the stop is over', async () => {
    const choice = new StreamChoice(true, 30);
    assert.equal(choice.next(), true);
    choice.stop();
    assert.equal(choice.next(), false);
    await pause(40);
    assert.equal(choice.next(), true);
  });

  it('doubles the stop each time (once per stop, however often it is told) and starts over once a stream flowed', async () => {
    const choice = new StreamChoice(true, 30);
    choice.stop();
    choice.stop();
    choice.stop();
    await pause(40);
    assert.equal(choice.next(), true, 'the first stop lasted 30 ms, not 120');
    choice.stop();
    await pause(40);
    assert.equal(choice.next(), false, 'the second lasts 60 ms');
    await pause(30);
    assert.equal(choice.next(), true);
    choice.flowed();
    choice.stop();
    await pause(40);
    assert.equal(choice.next(), true, 'after a stream flowed, 30 ms again');
  });

  it('wake() asks again at once; streams not wanted are never asked for', () => {
    const choice = new StreamChoice(true, 60_000);
    choice.stop();
    assert.equal(choice.next(), false);
    choice.wake();
    assert.equal(choice.next(), true);
    const never = new StreamChoice(false, 1);
    assert.equal(never.next(), false);
    never.wake();
    assert.equal(never.next(), false);
  });
});
