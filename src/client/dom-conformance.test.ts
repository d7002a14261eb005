import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromRequest, REVERSE_ORIGIN } from '../protocol/fetch-convert.ts';
import type { ReverseResponse } from '../protocol/message.ts';
import { pathOf } from '../protocol/paths.ts';
import { heldText } from '../protocol/text-response.ts';
import { CONFORMANCE_CASES, CONFORMANCE_PAGE } from './conformance-cases.ts';
import { domResource } from './dom-resource.ts';
import { serveRequest } from './serve-request.ts';
import { morph, testDocument } from './test-dom.ts';

describe('DOM resource conformance (jsdom)', () => {
  for (const test of CONFORMANCE_CASES) {
    if (test.browser_only) continue;
    it(test.name, async () => {
      const document = testDocument(`<!DOCTYPE html><html>${CONFORMANCE_PAGE}</html>`);
      const handler = domResource({ document, morph });
      const call = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
        handler(new Request(REVERSE_ORIGIN + pathOf(path), { method, body: body ?? null, headers }));
      const response = await call(test.method, test.path, test.body, test.headers);
      const text = await response.text();
      assert.equal(response.status, test.status, `${test.name}: ${text}`);
      if (test.body_is !== undefined) assert.equal(text, test.body_is);
      if (test.body_matches) assert.match(text, test.body_matches);
      for (const [name, pattern] of Object.entries(test.response_headers ?? {})) {
        assert.match(response.headers.get(name) ?? '(none)', pattern, name);
      }
      if (test.after) {
        const after = await call('GET', test.after.path);
        if (test.after.body === null) assert.equal(after.status, 404);
        else assert.equal(await after.text(), test.after.body);
      }
    });
  }
});

describe('DOM resource conformance, served as messages (the transport) and as Requests: the same answers', () => {
  for (const test of CONFORMANCE_CASES) {
    if (test.browser_only) continue;
    it(test.name, async () => {
      const answers: ReverseResponse[][] = [];
      for (const way of ['message', 'Request']) {
        const document = testDocument(`<!DOCTYPE html><html>${CONFORMANCE_PAGE}</html>`);
        const dom = domResource({ document, morph });
        // A plain function hides the handler's message path: serveRequest then makes a Request.
        const handler = way === 'message' ? dom : (request: Request) => dom(request);
        const serve = async (id: string, method: string, path: string, body?: string, headers = {}) => {
          const request = new Request(REVERSE_ORIGIN + pathOf(path), { method, body: body ?? null, headers });
          return serveRequest(handler, await fromRequest(id, request), 1024 * 1024);
        };
        const first = await serve('1', test.method, test.path, test.body, test.headers);
        const after = test.after ? await serve('2', 'GET', test.after.path) : null;
        answers.push(after ? [first, after] : [first]);
      }
      assert.equal(answers[0]?.[0]?.status, test.status);
      // The message way holds text bodies as text (TextResponse): the same fields and bytes.
      const plain = ({ id, status, statusText, headers, body }: ReverseResponse) => ({
        id,
        status,
        statusText,
        headers,
        body,
      });
      assert.deepEqual(answers[0]?.map(plain), answers[1]?.map(plain));
      for (const answer of answers[0] ?? []) {
        const text = heldText(answer);
        if (text !== null) assert.equal(text, new TextDecoder().decode(answer.body ?? new Uint8Array()));
      }
    });
  }
});
