import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpError } from '../protocol/http-error.ts';
import type { ReverseRequest, ReverseResponse } from '../protocol/message.ts';
import type { Handler } from './dom-resource.ts';
import { SERVE_MESSAGE, serveRequest } from './serve-request.ts';

const message: ReverseRequest = { id: 'r1', method: 'GET', path: '/x', query: '', headers: [], body: null };

describe('serveRequest', () => {
  const cases: Array<[string, Handler, number, RegExp | string]> = [
    ['a normal answer passes through', () => new Response('hi', { status: 201 }), 201, 'hi'],
    ['a thrown Error is 500', () => Promise.reject(new Error('boom')), 500, /could not serve GET \/x: boom/],
    ['a thrown HttpError keeps its status', () => Promise.reject(new HttpError(418, 'teapot')), 418, /teapot/],
    ['a thrown TypeError is 400', () => Promise.reject(new TypeError('bad header')), 400, /bad header/],
    ['a network-error Response (status 0) is 502', () => Response.error(), 502, /status 0/],
    ['a body over the limit is 502', () => new Response('x'.repeat(11)), 502, /unusable/],
    ['no Response at all is 502, not a rejection', () => undefined as unknown as Response, 502, /not a Response/],
    ['a promise of nothing is 502', () => Promise.resolve(null as unknown as Response), 502, /not a Response/],
  ];
  for (const [what, handler, status, body] of cases) {
    it(what, async () => {
      const response = await serveRequest(handler, message, 10);
      assert.equal(response.id, 'r1');
      assert.equal(response.status, status);
      const text = new TextDecoder().decode(response.body ?? new Uint8Array());
      if (typeof body === 'string') assert.equal(text, body);
      else assert.match(text, body);
    });
  }

  /** A handler serving messages: `answer` is what its SERVE_MESSAGE gives. */
  const serving = (answer: () => unknown): Handler =>
    Object.assign(() => new Response('not this way'), { [SERVE_MESSAGE]: answer }) as unknown as Handler;
  const ok = (): ReverseResponse => ({ id: 'r1', status: 200, statusText: '', headers: [], body: null });
  const messageCases: Array<[string, () => unknown, number, 'at once' | 'later']> = [
    ['an answer given at once comes back at once', ok, 200, 'at once'],
    ['an answer that is no response is 502, given at once', () => undefined, 502, 'at once'],
    ['an answer that is no response is 502, given later', () => Promise.resolve(undefined), 502, 'later'],
    ['an answer to another request is 502', () => ({ ...ok(), id: 'r2' }), 502, 'at once'],
    ['an answer with status 0 is 502', () => ({ ...ok(), status: 0 }), 502, 'at once'],
    ['a rejection is 500, never a rejected promise', () => Promise.reject(new Error('boom')), 500, 'later'],
    [
      'a throw is 500, given at once',
      () => {
        throw new Error('boom');
      },
      500,
      'at once',
    ],
    // A promise of another library (or realm): taken for one, not for an answer.
    // biome-ignore lint/suspicious/noThenProperty: a thenable is what this case is about.
    ['a thenable is waited for', () => ({ then: (resolve: (value: unknown) => void) => resolve(ok()) }), 200, 'later'],
  ];
  for (const [what, answer, status, when] of messageCases) {
    it(`served as a message: ${what}`, async () => {
      const out = serveRequest(serving(answer), message, 10);
      assert.equal(out instanceof Promise, when === 'later');
      const response = await out;
      assert.equal(response.id, 'r1');
      assert.equal(response.status, status);
    });
  }
});
