import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { fromResponse, toRequest } from '../protocol/fetch-convert.ts';
import type { ClientSession } from './client-session.ts';
import { Hub } from './hub.ts';
import { replHelpers, startRepl } from './repl.ts';

/** An in-process client: polls the hub and answers every request with `handler`. */
function fakeClient(hub: Hub, session: ClientSession, handler: (request: Request) => Response | Promise<Response>) {
  const loop = () =>
    hub.attachPoll(session, {
      deliver: (requests) => {
        for (const request of requests) {
          void Promise.resolve(handler(toRequest(request)))
            .then((response) => fromResponse(request.id, response))
            .then((response) => hub.receive(session, [response]));
        }
        if (hub.session(session.id)) setImmediate(loop);
        return true;
      },
    });
  loop();
}

const echo = async (request: Request) =>
  new Response(`${request.method} ${new URL(request.url).pathname} ${await request.text()}`, {
    headers: { 'content-type': 'text/plain' },
  });

describe('REPL helpers', () => {
  it('send a hand-built request and print the response as an HTTP message', async (t) => {
    const hub = new Hub();
    t.after(() => hub.close());
    const session = await hub.register({ url: 'http://page.test/' });
    fakeClient(hub, session, echo);
    const { send, put } = replHelpers(hub);
    const response = await send(session.id, { method: 'post', path: '/html/body', body: '<p>x</p>' });
    assert.equal(response.status, 200);
    assert.equal(response.body, 'POST /html/body <p>x</p>');
    assert.match(inspect(response), /^HTTP\/1\.1 200 OK\ncontent-type: text\/plain/);
    assert.equal((await put(undefined, 'html/body/h1', '<h1>y</h1>')).body, 'PUT /html/body/h1 <h1>y</h1>');
  });

  it('resolve a unique id prefix, and refuse ambiguous or unknown ones', async (t) => {
    const hub = new Hub();
    t.after(() => hub.close());
    const one = await hub.register({ url: 'http://one.test/' });
    fakeClient(hub, one, echo);
    const { get } = replHelpers(hub);
    assert.equal((await get(one.id.slice(0, 8), '/x')).body, 'GET /x ');
    await assert.rejects(get('definitely-not-an-id', '/x'), /No client id starts with/);
    await hub.register({ url: 'http://two.test/' });
    await assert.rejects(get(undefined, '/x'), /2 clients are connected/);
    await assert.rejects(get('', '/x'), /matches 2 clients/);
  });
});

describe('the REPL', () => {
  it('evaluates helper calls with await and announces clients', async (t) => {
    const hub = new Hub();
    t.after(() => hub.close());
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (chunk) => {
      text += chunk;
    });
    const server = startRepl(hub, { input, output });
    t.after(() => server.close());
    const session = await hub.register({ url: 'http://page.test/' });
    fakeClient(hub, session, echo);
    input.write("await get(undefined, '/html/body/h1')\n");
    const deadline = Date.now() + 5_000;
    while (!text.includes('GET /html/body/h1') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.match(text, /\+ client .* http:\/\/page\.test\//);
    assert.match(text, /HTTP\/1\.1 200 OK/);
    assert.match(text, /GET \/html\/body\/h1/);
  });
});
