/**
 * Test support: a page in Node that connects to a running server as a browser tab would, with
 * the real long-poll client serving a jsdom document (or a handler of the test's own). Only
 * tests import this file.
 */

import { JSDOM } from 'jsdom';
import { pageHandler } from '../client/connect.ts';
import type { Handler } from '../client/dom-resource.ts';
import { Connection } from '../client/long-poll.ts';
import { morph } from '../client/test-dom.ts';

// morphdom must load after test-dom.ts installed the DOM globals; naming it keeps the import first.
void morph;

/** A connected test page. */
export interface TestPage {
  id: string;
  document: Document;
  connection: Connection;
  /** Leaves, telling the hub (as a tab closing does). */
  close(): void;
}

/** Connects a page holding `html` (or answering with `handler`) to the server at `serverUrl`. */
export async function connectTestPage(
  serverUrl: string,
  options: { html?: string; handler?: Handler; url?: string } = {},
): Promise<TestPage> {
  const document = new JSDOM(options.html ?? '<!DOCTYPE html><html><body><h1 id="title">Hello</h1></body></html>')
    .window.document;
  const connection = new Connection({
    endpoint: new URL('ptth', serverUrl).href,
    handler: options.handler ?? pageHandler(document),
    dom: options.handler === undefined,
    storage: null,
    url: options.url ?? 'http://page.test/',
  });
  // A page that does not open in time is closed, so that its retries cannot keep the test alive.
  await new Promise<void>((resolve, reject) => {
    const fail = (reason: string) => {
      clearTimeout(timer);
      connection.close();
      reject(new Error(`The test page did not connect to ${serverUrl}: ${reason}`));
    };
    const timer = setTimeout(() => fail('no connection within 10 s'), 10_000);
    const offState = connection.on('state', (state) => {
      if (state !== 'open') return;
      clearTimeout(timer);
      offState();
      offError();
      resolve();
    });
    const offError = connection.on('error', ({ reason }) => fail(reason));
  });
  return { id: connection.id as string, document, connection, close: () => connection.close() };
}
