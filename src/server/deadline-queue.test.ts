import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Deadlined, DeadlineQueue } from './deadline-queue.ts';

interface Item extends Deadlined {
  name: string;
}

const item = (name: string): Item => ({ name, deadline: 0, deadlinePrev: null, deadlineNext: null });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('DeadlineQueue', () => {
  it('expires items in the order they were added, each about ms after its add', async () => {
    const expired: [string, number][] = [];
    const start = Date.now();
    const queue = new DeadlineQueue<Item>(40, (it) => expired.push([it.name, Date.now() - start]), 0);
    queue.add(item('a'));
    await sleep(15);
    queue.add(item('b'));
    queue.add(item('c'));
    await sleep(100);
    assert.deepEqual(
      expired.map(([name]) => name),
      ['a', 'b', 'c'],
    );
    for (const [name, at] of expired) assert.ok(at >= (name === 'a' ? 39 : 54), `${name} expired at ${at} ms`);
  });

  it('never expires a deleted item, and an item added again starts over', async () => {
    const expired: string[] = [];
    const queue = new DeadlineQueue<Item>(30, (it) => expired.push(it.name));
    const [a, b, c] = [item('a'), item('b'), item('c')];
    queue.add(a);
    queue.add(b);
    queue.add(c);
    queue.delete(a);
    queue.delete(c);
    assert.equal(queue.has(a), false);
    assert.equal(queue.has(b), true);
    queue.delete(a);
    await sleep(15);
    queue.add(b);
    await sleep(25);
    assert.deepEqual(expired, []);
    await sleep(30);
    assert.deepEqual(expired, ['b']);
    assert.equal(queue.has(b), false);
  });

  it('lets an expiry add items, and keeps serving after it emptied', async () => {
    const expired: string[] = [];
    const queue: DeadlineQueue<Item> = new DeadlineQueue<Item>(20, (it) => {
      expired.push(it.name);
      if (it.name === 'a') queue.add(item('again'));
    });
    queue.add(item('a'));
    await sleep(70);
    assert.deepEqual(expired, ['a', 'again']);
    queue.add(item('later'));
    await sleep(40);
    assert.deepEqual(expired, ['a', 'again', 'later']);
    queue.stop();
  });

  it('stops: nothing expires until an add starts it again', async () => {
    const expired: string[] = [];
    const queue = new DeadlineQueue<Item>(10, (it) => expired.push(it.name));
    queue.add(item('a'));
    queue.stop();
    await sleep(30);
    assert.deepEqual(expired, []);
  });
});
