import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReverseRequest, ReverseResponse } from '../protocol/message.ts';
import { DeliveryLog, REMEMBERED_ANSWERS } from './delivery-log.ts';

const request = (seq?: number): ReverseRequest => ({
  id: `r${seq}`,
  method: 'GET',
  path: '/',
  query: '',
  headers: [],
  body: null,
  ...(seq === undefined ? {} : { seq }),
});
const response = (id: string): ReverseResponse => ({ id, status: 200, statusText: '', headers: [], body: null });

describe('DeliveryLog', () => {
  it('acknowledges the highest contiguous sequence number, whatever the arrival order', () => {
    const log = new DeliveryLog();
    assert.equal(log.ack, 0);
    assert.equal(log.arrive(request(2)), true);
    assert.equal(log.ack, 0);
    assert.equal(log.arrive(request(1)), true);
    assert.equal(log.ack, 2);
    assert.equal(log.arrive(request(4)), true);
    assert.equal(log.ack, 2);
    assert.equal(log.arrive(request(3)), true);
    assert.equal(log.ack, 4);
  });

  it('refuses a second arrival of the same sequence number, below or above the ack', () => {
    const log = new DeliveryLog();
    log.arrive(request(1));
    log.arrive(request(3));
    assert.equal(log.arrive(request(1)), false);
    assert.equal(log.arrive(request(3)), false);
    assert.equal(log.arrive(request(2)), true);
  });

  it('lets requests without a sequence number through (a hub without acknowledgements)', () => {
    const log = new DeliveryLog();
    assert.equal(log.arrive(request()), true);
    assert.equal(log.arrive(request()), true);
  });

  it('remembers answers, forgetting the oldest past the limit', () => {
    const log = new DeliveryLog();
    for (let i = 0; i <= REMEMBERED_ANSWERS; i++) log.remember(response(`a${i}`));
    assert.equal(log.answer('a0'), undefined);
    assert.equal(log.answer('a1')?.id, 'a1');
    assert.equal(log.answer(`a${REMEMBERED_ANSWERS}`)?.id, `a${REMEMBERED_ANSWERS}`);
  });

  it('keeps exactly the last REMEMBERED_ANSWERS answers however many came, an answer given again in its place', () => {
    const log = new DeliveryLog();
    const total = Math.floor(REMEMBERED_ANSWERS * 2.5);
    for (let i = 0; i < total; i++) {
      log.remember(response(`a${i}`));
      // The same id answered again (a redelivery's answer) neither moves nor duplicates it.
      if (i % 7 === 0) log.remember(response(`a${i}`));
    }
    const kept = Array.from({ length: total }, (_, i) => log.answer(`a${i}`) !== undefined);
    assert.equal(kept.indexOf(true), total - REMEMBERED_ANSWERS);
    assert.equal(kept.filter(Boolean).length, REMEMBERED_ANSWERS);
  });
});
