import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REVERSE_ORIGIN } from '../protocol/fetch-convert.ts';
import { pathOf } from '../protocol/paths.ts';
import { CONFORMANCE_CASES, CONFORMANCE_PAGE } from './conformance-cases.ts';
import { domResource } from './dom-resource.ts';
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
