import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CONFORMANCE_CASES, CONFORMANCE_PAGE, type ConformanceCase } from '../client/conformance-cases.ts';
import type { Handler } from '../client/dom-resource.ts';
import { REVERSE_ORIGIN } from '../protocol/fetch-convert.ts';
import { pathOf } from '../protocol/paths.ts';
import { type DevServer, startDevServer } from '../server/dev-server.ts';
import { type ReversePeer, serveReverse } from './serve-reverse.ts';
import { xmlResource } from './xml-document.ts';

/** The header that names the case, so each case gets a fresh document in the one peer. */
const CASE_HEADER = 'x-conformance-case';

// One semantics, two transports: the browser's cases, on an XML document in a Node peer that
// is reached through hub.fetch over a turned PTTH socket.
describe('DOM resource conformance over PTTH (an XML document in a Node peer)', () => {
  let dev: DevServer;
  let peer: ReversePeer;
  const documents = new Map<string, Handler>();

  before(async () => {
    dev = await startDevServer({ port: 0 });
    peer = serveReverse({
      url: `${dev.url}ptth/reverse`,
      dom: true,
      handler: (request) => {
        const name = request.headers.get(CASE_HEADER) ?? '';
        let handler = documents.get(name);
        if (!handler) {
          handler = xmlResource({ document: `<!DOCTYPE html><html>${CONFORMANCE_PAGE}</html>` });
          documents.set(name, handler);
        }
        return handler(request);
      },
    });
    await peer.opened();
    assert.equal(dev.hub.session(peer.id as string)?.transport, 'ptth');
  });
  after(async () => {
    await peer.close();
    await dev.close();
  });

  CONFORMANCE_CASES.forEach((test: ConformanceCase, index) => {
    const expected = { ...test, ...test.xml };
    it(test.name, { skip: test.xml_skip ?? false }, async () => {
      const call = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
        dev.hub.fetch(
          peer.id as string,
          new Request(REVERSE_ORIGIN + pathOf(path), {
            method,
            body: body ?? null,
            headers: { ...headers, [CASE_HEADER]: String(index) },
          }),
        );
      const response = await call(test.method, test.path, test.body, test.headers);
      const text = await response.text();
      assert.equal(response.status, expected.status, `${test.name}: ${text}`);
      if (expected.body_is !== undefined) assert.equal(text, expected.body_is);
      if (expected.body_matches) assert.match(text, expected.body_matches);
      for (const [name, pattern] of Object.entries(expected.response_headers ?? {})) {
        assert.match(response.headers.get(name) ?? '(none)', pattern, name);
      }
      if (expected.after) {
        const after = await call('GET', expected.after.path);
        if (expected.after.body === null) assert.equal(after.status, 404);
        else assert.equal(await after.text(), expected.after.body);
      }
    });
  });
});
