import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import type { HttpError } from '../protocol/http-error.ts';
import type { NodeListenerOptions } from './node-adapter.ts';
import { createNodeServer, REQUEST_LINE_ROOM } from './node-server.ts';

interface Raw {
  status: number;
  head: string;
  body: string;
}

/** Serves a handler that reports the fields it saw, sends `text` as is, and reads the whole answer. */
async function rawExchange(text: string, options: NodeListenerOptions = {}): Promise<Raw & { limits: HttpError[] }> {
  const limits: HttpError[] = [];
  const server = createNodeServer((request) => new Response(`fields: ${[...request.headers].length}`), {
    ...options,
    onLimit: (error) => limits.push(error),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let data = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk) => {
        data += chunk;
      });
      socket.on('end', () => resolve(data));
      socket.on('error', (error) => (data ? resolve(data) : reject(error)));
      socket.write(text);
    });
    const split = answer.indexOf('\r\n\r\n');
    const head = answer.slice(0, split);
    return { status: Number(head.split(' ')[1]), head, body: answer.slice(split + 4), limits };
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

const request = (fields: string, target = '/') =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${fields}Connection: close\r\n\r\n`;

describe('the node server limits', () => {
  it('a request within the limits is served', async () => {
    const response = await rawExchange(request('a: b\r\n'));
    assert.equal(response.status, 200);
  });

  it('more header fields than maxHeaders is a 431 problem naming the limit, with Connection: close', async () => {
    // 150 fields, well within Node's byte limit: Node alone would keep them (or drop some silently).
    const response = await rawExchange(request('x-f: v\r\n'.repeat(150)));
    assert.equal(response.status, 431);
    assert.match(response.head, /content-type: application\/problem\+json/i);
    assert.match(response.head, /connection: close/i);
    const problem = JSON.parse(response.body);
    assert.match(problem.detail, /^The request has \d+ header fields, over the limit of 100 \(maxHeaders\)$/);
    assert.equal(problem.option, 'maxHeaders');
    assert.equal(response.limits.length, 1);
  });

  it('header fields over maxHeaderBytes (and under Node’s own limit) are our 431 problem', async () => {
    const response = await rawExchange(request(`x-big: ${'v'.repeat(20_000)}\r\n`));
    assert.equal(response.status, 431);
    const problem = JSON.parse(response.body);
    assert.match(problem.detail, /bytes of header fields, over the limit of 16384 \(maxHeaderBytes\)/);
    assert.equal(response.limits[0]?.extensions.option, 'maxHeaderBytes');
  });

  it('the limits are options: maxHeaders 200 lets 150 fields through', async () => {
    const fields = Array.from({ length: 150 }, (_, i) => `x-f${i}: v\r\n`).join('');
    const response = await rawExchange(request(fields), { maxHeaders: 200 });
    assert.equal(response.status, 200);
    // 150, Host, Connection, and the peer's address the adapter adds.
    assert.equal(response.body, 'fields: 153');
  });

  it('a head over Node’s parser limit still gets a 431 problem (not a bare status line)', async () => {
    const response = await rawExchange(request(`x-big: ${'v'.repeat(16 * 1024 + REQUEST_LINE_ROOM)}\r\n`));
    assert.equal(response.status, 431);
    assert.match(JSON.parse(response.body).detail, /request line and header fields are larger than 32768 bytes/);
    assert.equal(response.limits.length, 1);
  });

  it('a long request line alone fits in the room left for it', async () => {
    const response = await rawExchange(request('', `/${'a'.repeat(12_000)}`));
    assert.equal(response.status, 200);
  });

  it('a request that is not HTTP is a 400 problem', async () => {
    const response = await rawExchange('HELLO\r\n\r\n');
    assert.equal(response.status, 400);
    assert.match(JSON.parse(response.body).detail, /not valid HTTP\/1\.1/);
    assert.equal(response.limits.length, 0);
  });
});
