import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { utf8Text } from '../protocol/bytes.ts';
import type { PollReply } from '../protocol/long-poll-wire.ts';
import { parseRequests } from '../protocol/message-http.ts';
import { devApp, startDevServer } from './dev-server.ts';
import { Hub } from './hub.ts';
import type { HubOptions } from './hub-types.ts';
import { headerLimitError, measureHeaders } from './limits.ts';

const ORIGIN = 'http://127.0.0.1:8080';

function setup(options: HubOptions = {}) {
  const hub = new Hub({ holdMs: 2_000, expireMs: 60_000, ...options });
  const app = devApp(hub);
  const call = (path: string, init: RequestInit = {}) => app(new Request(ORIGIN + path, init));
  const connect = async () => {
    const response = await call('/ptth/connect', { method: 'POST', body: '{"url":"http://page.test/"}' });
    assert.equal(response.status, 201);
    return (await response.json()) as { id: string; secret: string };
  };
  const poll = (client: { id: string; secret: string }, body: unknown = { responses: [] }, headers = {}) =>
    call(`/ptth/poll/${client.id}`, {
      method: 'POST',
      headers: { 'ptth-secret': client.secret, 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  /** Makes a call on `client` and returns it with the request its held poll received. */
  const deliver = async (client: { id: string; secret: string }, path = '/x') => {
    const held = poll(client);
    const answer = hub.fetch(client.id, new Request(`http://ptth.invalid${path}`));
    const [request] = ((await (await held).json()) as PollReply).requests;
    assert.ok(request);
    return { answer, request };
  };
  return { hub, call, connect, poll, deliver };
}

describe('measuring header fields', () => {
  it('counts fields and their bytes as on the wire', () => {
    assert.deepEqual(
      measureHeaders([
        ['a', 'bc'],
        ['de', ''],
      ]),
      { count: 2, bytes: 3 + 4 + 2 + 4 },
    );
    assert.deepEqual(measureHeaders(new Headers({ x: '1' })), { count: 1, bytes: 6 });
  });

  it('names the option, the limit and what was found', () => {
    const error = headerLimitError([['a', 'b']], { maxHeaders: 0, maxHeaderBytes: 100 }, 'The thing');
    assert.ok(error);
    assert.equal(error.status, 431);
    assert.equal(error.message, 'The thing has 1 header fields, over the limit of 0 (maxHeaders)');
    assert.deepEqual(error.extensions, { option: 'maxHeaders', limit: 0, found: 1 });
    assert.equal(headerLimitError([['a', 'b']], { maxHeaders: 1, maxHeaderBytes: 6 }, 'x'), null);
  });
});

describe('the gateway rate limit', () => {
  it('past the burst, a client gets 429 with Retry-After and a problem naming requestsPerSecond; others do not', async (t) => {
    const { hub, call } = setup({ requestsPerSecond: 1, requestBurst: 3, requestTimeoutMs: 20 });
    t.after(() => hub.close());
    const busy = await hub.register({ url: 'http://busy.test/' });
    const calm = await hub.register({ url: 'http://calm.test/' });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await call(`/ptth/clients/${busy.id}/html`)).status);
    // The first three were forwarded (and timed out: nobody polls); the rest were refused at once.
    assert.deepEqual(statuses, [504, 504, 504, 429, 429]);
    const refused = await call(`/ptth/clients/${busy.id}/html`);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal(refused.headers.get('content-type'), 'application/problem+json');
    const problem = await refused.json();
    assert.match(problem.detail, new RegExp(`Client "${busy.id}" is sent more reverse requests through the gateway`));
    assert.match(problem.detail, /over the limit of 1 per second \(requestsPerSecond, burst 3\); retry in 1 s/);
    assert.deepEqual(
      [problem.option, problem.limit, problem.burst, problem.client],
      ['requestsPerSecond', 1, 3, busy.id],
    );
    assert.equal((await call(`/ptth/clients/${calm.id}/html`)).status, 504);
    assert.equal((await call(`/ptth/clients/${busy.id}`)).status, 200, 'describing a client is not a reverse request');
    assert.equal(hub.stats().limited.requestsPerSecond, 3);
  });

  it('requestsPerSecond: Infinity turns it off', async (t) => {
    const { hub, call } = setup({ requestsPerSecond: Number.POSITIVE_INFINITY, requestBurst: 1, requestTimeoutMs: 5 });
    t.after(() => hub.close());
    const session = await hub.register({ url: 'http://page.test/' });
    for (let i = 0; i < 5; i++) assert.equal((await call(`/ptth/clients/${session.id}/html`)).status, 504);
  });

  it('a request through the gateway with too many header fields is 431, counted', async (t) => {
    const { hub, call } = setup({ maxHeaders: 10 });
    t.after(() => hub.close());
    const session = await hub.register({ url: 'http://page.test/' });
    const headers = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`x-field-${i}`, 'v']));
    const response = await call(`/ptth/clients/${session.id}/html`, { headers });
    assert.equal(response.status, 431);
    assert.match((await response.json()).detail, /over the limit of 10 \(maxHeaders\)/);
    assert.deepEqual(await hub.store.unanswered(session.id), []);
    assert.equal(hub.stats().limited.maxHeaders, 1);
  });

  it('a body over maxBodyBytes is 413, counted', async (t) => {
    const { hub, call } = setup({ maxBodyBytes: 10 });
    t.after(() => hub.close());
    const session = await hub.register({ url: 'http://page.test/' });
    const response = await call(`/ptth/clients/${session.id}//ul`, { method: 'POST', body: 'x'.repeat(11) });
    assert.equal(response.status, 413);
    assert.equal(hub.stats().limited.maxBodyBytes, 1);
  });
});

describe('the poll rate limit', () => {
  it('polls past the burst are 429 naming pollsPerSecond; polls with a wrong secret spend nothing', async (t) => {
    const { hub, connect, poll } = setup({ pollsPerSecond: 1, pollBurst: 2, holdMs: 5 });
    t.after(() => hub.close());
    const client = await connect();
    for (let i = 0; i < 5; i++) assert.equal((await poll({ ...client, secret: 'wrong' })).status, 403);
    assert.equal((await poll(client)).status, 200);
    assert.equal((await poll(client)).status, 200);
    const refused = await poll(client);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
    const problem = await refused.json();
    assert.match(
      problem.detail,
      /polls more often than allowed, over the limit of 1 per second \(pollsPerSecond, burst 2\)/,
    );
    assert.equal(problem.option, 'pollsPerSecond');
    const other = await connect();
    assert.equal((await poll(other)).status, 200, 'another client has its own bucket');
    assert.equal(hub.stats().limited.pollsPerSecond, 1);
  });
});

describe("limits on a page's answers", () => {
  it('an answer with too many header fields is a 502 for its caller, saying which request and which limit', async (t) => {
    const { hub, connect, poll, deliver } = setup({ maxHeaders: 100 });
    t.after(() => hub.close());
    const client = await connect();
    const { answer, request } = await deliver(client, '/many');
    const headers = Array.from({ length: 10_000 }, (_, i) => [`x-h${i}`, 'v']);
    const upload = await poll(client, { responses: [{ id: request.id, status: 200, headers, body: 'x' }] });
    assert.equal(upload.status, 200, 'the upload itself is fine');
    const response = await answer;
    assert.equal(response.status, 502);
    const problem = await response.json();
    assert.equal(
      problem.detail,
      `Client "${client.id}" answered GET /many with a response that has 10000 header fields, over the limit of 100 (maxHeaders)`,
    );
    assert.equal(hub.stats().limited.maxHeaders, 1);
  });

  it('an answer with a 1 MiB header is a 502 for its caller (maxHeaderBytes), in message/http too', async (t) => {
    const { hub, connect, poll } = setup();
    t.after(() => hub.close());
    const client = await connect();
    const wire = { 'content-type': 'message/http', accept: 'message/http' };
    const held = poll(client, '', wire);
    const answer = hub.fetch(client.id, new Request('http://ptth.invalid/big'));
    const [request] = parseRequests(new Uint8Array(await (await held).arrayBuffer()));
    assert.ok(request);
    const huge = 'v'.repeat(1024 * 1024);
    const batch = `HTTP/1.1 200 OK\r\nPtth-Id: ${request.id}\r\nX-Huge: ${huge}\r\nContent-Length: 2\r\n\r\nok`;
    assert.equal((await poll(client, batch, wire)).status, 200);
    const response = await answer;
    assert.equal(response.status, 502);
    assert.match(
      (await response.json()).detail,
      /GET \/big with a response that has \d+ bytes of header fields, over the limit of 16384 \(maxHeaderBytes\)/,
    );
    assert.equal(hub.stats().limited.maxHeaderBytes, 1);
  });

  it('an answer with a body over maxBodyBytes is a 502 for its caller, counted', async (t) => {
    const { hub, connect, poll, deliver } = setup({ maxBodyBytes: 8 });
    t.after(() => hub.close());
    const client = await connect();
    const { answer, request } = await deliver(client);
    await poll(client, { responses: [{ id: request.id, status: 200, headers: [], body: 'x'.repeat(9) }] });
    const response = await answer;
    assert.equal(response.status, 502);
    assert.match((await response.json()).detail, /a body of 9 bytes, over the limit of 8 \(maxBodyBytes\)/);
    assert.equal(hub.stats().limited.maxBodyBytes, 1);
  });
});

describe('foreign answers', () => {
  it("client B uploading an answer for client A's in-flight request settles nothing; A's caller gets A's answer", async (t) => {
    const { hub, connect, poll, deliver } = setup();
    t.after(() => hub.close());
    const rejected: string[] = [];
    hub.on('rejected', (id) => rejected.push(id));
    const a = await connect();
    const b = await connect();
    const { answer, request } = await deliver(a, '/private');
    const forged = { id: request.id, status: 200, headers: [['content-type', 'text/plain']], body: 'forged by B' };
    const upload = await poll(b, { responses: [forged, { ...forged, id: 'never-existed' }] });
    assert.equal(upload.status, 200);
    assert.deepEqual(hub.stats().rejectedResponses, 2);
    assert.deepEqual(rejected, [b.id]);
    void poll(a, { responses: [{ ...forged, body: 'the real answer' }] });
    const response = await answer;
    assert.equal(utf8Text(new Uint8Array(await response.arrayBuffer())), 'the real answer');
    assert.equal(hub.stats().rejectedResponses, 2);
    assert.equal(hub.stats().droppedResponses, 0);
  });
});

describe('the dev server', () => {
  it('answers a request with too many header fields 431 before any route, and counts it', async (t) => {
    const server = await startDevServer({ port: 0 });
    t.after(() => server.close());
    const headers = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`x-field-${i}`, 'v']));
    const response = await fetch(`${server.url}ptth/clients`, { headers });
    assert.equal(response.status, 431);
    assert.match((await response.json()).detail, /over the limit of 100 \(maxHeaders\)/);
    assert.equal(server.hub.stats().limited.maxHeaders, 1);
  });
});
