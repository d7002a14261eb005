import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpError } from '../protocol/http-error.ts';
import type { ReverseRequest } from '../protocol/message.ts';
import type { Handler } from './dom-resource.ts';
import { serveRequest } from './serve-request.ts';

const message: ReverseRequest = { id: 'r1', method: 'GET', path: '/x', query: '', headers: [], body: null };

describe('serveRequest', () => {
  const cases: Array<[string, Handler, number, RegExp | string]> = [
    ['a normal answer passes through', () => new Response('hi', { status: 201 }), 201, 'hi'],
    ['a thrown Error is 500', () => Promise.reject(new Error('boom')), 500, /could not serve GET \/x: boom/],
    ['a thrown HttpError keeps its status', () => Promise.reject(new HttpError(418, 'teapot')), 418, /teapot/],
    ['a thrown TypeError is 400', () => Promise.reject(new TypeError('bad header')), 400, /bad header/],
    ['a network-error Response (status 0) is 502', () => Response.error(), 502, /status 0/],
    ['a body over the limit is 502', () => new Response('x'.repeat(11)), 502, /unusable/],
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
});
