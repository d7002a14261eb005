import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ListenedTarget } from './listened-target.ts';

/** `heard` made visible. */
class Probe extends ListenedTarget {
  hears(type: string): boolean {
    return this.heard(type);
  }
}

describe('ListenedTarget', () => {
  it('knows a type is heard while a plain listener is registered, by callback and phase as EventTarget does', () => {
    const target = new Probe();
    const listener = () => {};
    assert.equal(target.hears('request'), false);
    target.addEventListener('request', listener);
    target.addEventListener('request', listener); // EventTarget ignores the second
    assert.equal(target.hears('request'), true);
    assert.equal(target.hears('state'), false);
    target.removeEventListener('request', listener, true); // the capture phase: not this one
    assert.equal(target.hears('request'), true);
    target.removeEventListener('request', () => {}); // never added
    assert.equal(target.hears('request'), true);
    target.removeEventListener('request', listener);
    assert.equal(target.hears('request'), false);
    target.addEventListener('request', listener, { capture: true });
    assert.equal(target.hears('request'), true);
    target.removeEventListener('request', listener, { capture: true });
    assert.equal(target.hears('request'), false);
  });

  it('never withholds an event: a once or signal listener counts for good', () => {
    const target = new Probe();
    let calls = 0;
    target.addEventListener('request', () => calls++, { once: true });
    target.dispatchEvent(new Event('request'));
    assert.equal(calls, 1);
    assert.equal(target.hears('request'), true);
    const controller = new AbortController();
    target.addEventListener('state', () => {}, { signal: controller.signal });
    controller.abort();
    assert.equal(target.hears('state'), true);
  });
});
