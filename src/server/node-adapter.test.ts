import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { BufferedResponse } from '../protocol/buffered-response.ts';
import { NDJSON } from '../protocol/long-poll-wire.ts';
import { readBody } from '../protocol/read-body.ts';
import { LineResponse } from './line-response.ts';
import { type FetchHandler, toNodeListener } from './node-adapter.ts';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Serves `handler` on a loopback port and sends one raw request (path and headers as given). */
async function exchange(
  handler: FetchHandler,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
  maxBodyBytes?: number,
): Promise<Raw> {
  const server = createServer(toNodeListener(handler, maxBodyBytes));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<Raw>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers },
        (res) => {
          let body = '';
          res.setEncoding('latin1');
          res.on('data', (chunk) => {
            body += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      req.end(options.body);
    });
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

const echoPath: FetchHandler = (request) => new Response(new URL(request.url).pathname);

describe('toNodeListener', () => {
  it('keeps a raw path: no dot-segment folding, no host taken from //', async () => {
    assert.equal((await exchange(echoPath, { path: '//li/..' })).body, '//li%2F..');
    assert.equal(
      decodeURIComponent((await exchange(echoPath, { path: "//a[@href='/../x']" })).body),
      "//a[@href='/../x']",
    );
  });

  it('refuses a Host header that could smuggle a path', async () => {
    const response = await exchange(echoPath, { path: '/demo/', headers: { host: 'x/ptth/clients/ID/html#' } });
    assert.equal(response.status, 400);
    assert.match(response.body, /Invalid Host/);
  });

  it('answers 413 and closes the connection past the body limit', async () => {
    const response = await exchange(echoPath, { method: 'POST', path: '/', body: 'x'.repeat(20) }, 10);
    assert.equal(response.status, 413);
    assert.equal(response.headers.connection, 'close');
  });

  it('never sends a Content-Length the body does not have (except for HEAD)', async () => {
    const lying: FetchHandler = () => new Response(null, { status: 200, headers: { 'content-length': '10' } });
    const get = await exchange(lying, { path: '/' });
    assert.equal(get.headers['content-length'], '0');
    const noContent = await exchange(() => new Response(null, { status: 204, headers: { 'content-length': '10' } }), {
      path: '/',
    });
    assert.equal(noContent.headers['content-length'], undefined);
    const head = await exchange(lying, { method: 'HEAD', path: '/' });
    assert.equal(head.headers['content-length'], '10');
  });

  it('passes the body, the method and repeated headers', async () => {
    const handler: FetchHandler = async (request) =>
      new Response(`${request.method} ${request.headers.get('x-a')} ${await request.text()}`);
    const response = await exchange(handler, { method: 'PATCH', path: '/', headers: { 'x-a': '1' }, body: 'data' });
    assert.equal(response.body, 'PATCH 1 data');
  });

  it('answers 500 with problem JSON when the handler throws, and 501 for TRACE', async () => {
    const failing = await exchange(() => Promise.reject(new Error('kaput')), { path: '/' });
    assert.equal(failing.status, 500);
    assert.match(failing.body, /kaput/);
    const trace = await exchange(echoPath, { method: 'TRACE', path: '/' });
    assert.equal(trace.status, 501);
  });

  it('tells handlers the peer address in ptth-remote-address, replacing any the client sent', async () => {
    const handler: FetchHandler = (request) => new Response(request.headers.get('ptth-remote-address'));
    const response = await exchange(handler, { path: '/', headers: { 'ptth-remote-address': '6.6.6.6' } });
    assert.equal(response.body, '127.0.0.1');
  });

  it('aborts the signal when the connection closes before the answer, even when the handler asks for it late', async () => {
    let seen: (value: { early: boolean; late: boolean }) => void = () => {};
    const handler: FetchHandler = (request) =>
      new Promise<Response>((resolve) => {
        const early = request.signal;
        early.addEventListener('abort', () => {
          // Asked for again after the close: the same, aborted signal.
          setTimeout(() => seen({ early: early.aborted, late: request.signal.aborted }), 10);
          resolve(new Response('too late'));
        });
      });
    const lateHandler: FetchHandler = (request) =>
      new Promise<Response>((resolve) => {
        // Never asked for the signal before the connection closed.
        setTimeout(() => {
          seen({ early: true, late: request.signal.aborted });
          resolve(new Response('too late'));
        }, 300);
      });
    for (const each of [handler, lateHandler]) {
      const outcome = new Promise<{ early: boolean; late: boolean }>((resolve) => {
        seen = resolve;
      });
      const server = createServer(toNodeListener(each));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const req = httpRequest({ host: '127.0.0.1', port, path: '/' });
      req.on('error', () => {});
      req.end();
      setTimeout(() => req.destroy(), 100);
      assert.deepEqual(await outcome, { early: true, late: true });
      server.closeAllConnections();
      server.close();
    }
  });

  it('hands a body to readBody without its stream, and the stream still reads the same bytes', async () => {
    const handler: FetchHandler = async (request) => {
      const copy = request.clone();
      const bytes = await readBody(request, 100);
      return new Response(`${new TextDecoder().decode(bytes ?? new Uint8Array())}|${await copy.text()}`);
    };
    const response = await exchange(handler, { method: 'POST', path: '/', body: 'héllo' });
    assert.equal(Buffer.from(response.body, 'latin1').toString(), 'héllo|héllo');
    const empty = await exchange(async (request) => new Response(`${(await readBody(request, 100))?.length}`), {
      method: 'POST',
      path: '/',
      headers: { 'content-length': '0' },
    });
    assert.equal(empty.body, '0');
  });

  it('writes a BufferedResponse as a Response: status, headers, cookies and body', async () => {
    const handler: FetchHandler = () => {
      const headers = new Headers({ 'x-a': '1' });
      headers.append('set-cookie', 'a=1');
      headers.append('set-cookie', 'b=2');
      return new BufferedResponse('bufféred', { status: 201, headers });
    };
    const response = await exchange(handler, { path: '/' });
    assert.equal(response.status, 201);
    assert.equal(response.headers['x-a'], '1');
    assert.deepEqual(response.headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(response.headers['content-length'], String(Buffer.byteLength('bufféred')));
    assert.equal(Buffer.from(response.body, 'latin1').toString(), 'bufféred');
  });

  it('a request body reads the same whichever way a handler reads it', async () => {
    const ways: [string, (request: Request) => Promise<string>][] = [
      ['text()', (request) => request.text()],
      ['json()', async (request) => JSON.stringify(await request.json())],
      ['arrayBuffer()', async (request) => new TextDecoder().decode(await request.arrayBuffer())],
      ['blob()', async (request) => (await request.blob()).text()],
      ['body stream', (request) => new Response(request.body).text()],
      ['clone()', (request) => request.clone().text()],
      ['new Request(url, request)', (request) => new Request('http://elsewhere.test/', request).text()],
      ['new Request(request)', (request) => new Request(request).text()],
      ['readBody, then text()', async (request) => `${(await readBody(request, 100))?.length} ${await request.text()}`],
    ];
    for (const [way, read] of ways) {
      const handler: FetchHandler = async (request) => {
        const before = request.bodyUsed;
        const text = await read(request);
        return new Response(`${before} ${text}`);
      };
      const sent = '{"a":"héllo"}';
      const response = await exchange(handler, { method: 'POST', path: '/', body: sent });
      const expected = way.startsWith('readBody') ? `false ${Buffer.byteLength(sent)} ${sent}` : `false ${sent}`;
      assert.equal(Buffer.from(response.body, 'latin1').toString(), expected, way);
    }
  });

  it('a request body read once is used: a second read fails, as with any Request', async () => {
    const handler: FetchHandler = async (request) => {
      await request.text();
      const used = request.bodyUsed;
      const again = await request.text().then(
        () => 'read again',
        (error) => error.constructor.name,
      );
      return new Response(`${used} ${again}`);
    };
    const response = await exchange(handler, { method: 'POST', path: '/', body: 'once' });
    assert.equal(response.body, 'true TypeError');
  });

  it('waits out backpressure on a streamed body without a listener left behind per wait', async () => {
    const lines = 20;
    const line = `${'x'.repeat(1 << 20)}\n`;
    const response = new LineResponse({ headers: { 'content-type': NDJSON } });
    for (let i = 0; i < lines; i++) response.push(line);
    const listener = toNodeListener(() => response);
    let served: ServerResponse | undefined;
    const server = createServer((req, res) => {
      served = res;
      listener(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const reader = ((await fetch(`http://127.0.0.1:${port}/`)).body as ReadableStream<Uint8Array>).getReader();
      let bytes = 0;
      while (bytes < lines * line.length) bytes += (await reader.read()).value?.length ?? 0;
      // Still open. Each megabyte filled the socket's buffer: the adapter waited for 'drain' about
      // once a line, and each wait also listened for 'close'.
      assert.ok((served?.listenerCount('close') ?? Number.POSITIVE_INFINITY) <= 3, 'close listeners left behind');
      response.close();
      assert.equal((await reader.read()).done, true);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
