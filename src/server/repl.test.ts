import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    const server = startRepl(hub, { input, output, historyFile: null });
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

/** A REPL on a pretend terminal, with what it printed so far. */
function terminalRepl(hub: Hub, historyFile: string | null) {
  const input = new PassThrough();
  const output = new PassThrough();
  const seen = { text: '' };
  output.on('data', (chunk) => {
    seen.text += chunk;
  });
  const server = startRepl(hub, { input, output, terminal: true, historyFile });
  return { input, server, seen };
}

async function until(check: () => boolean) {
  const deadline = Date.now() + 5_000;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(check(), 'timed out');
}

describe('the REPL, at a terminal', () => {
  it('completes client ids inside a call and helper names on a bare word', async (t) => {
    const hub = new Hub();
    t.after(() => hub.close());
    const one = await hub.register({ url: 'http://one.test/' });
    const { server } = terminalRepl(hub, null);
    t.after(() => server.close());
    const complete = (line: string) =>
      new Promise<[string[], string]>((resolve, reject) =>
        (server.completer as (line: string, cb: (e: Error | null, r?: [string[], string]) => void) => void)(
          line,
          (error, result) => (error ? reject(error) : resolve(result as [string[], string])),
        ),
      );
    assert.deepEqual(await complete(`await get('${one.id.slice(0, 3)}`), [[`${one.id}'`], one.id.slice(0, 3)]);
    const [names, word] = await complete('pa');
    assert.equal(word, 'pa');
    assert.deepEqual(names.slice(0, 1), ['patch']);
    const [properties] = await complete('hub.sess');
    assert.ok(properties.includes('hub.session'), 'Node completes properties as before');
  });

  it('keeps history across runs in the history file', async (t) => {
    const hub = new Hub();
    t.after(() => hub.close());
    const file = join(mkdtempSync(join(tmpdir(), 'ptth-repl-')), 'history');
    const first = terminalRepl(hub, file);
    first.input.write('1 + 41\r');
    await until(() => first.seen.text.includes('42'));
    first.server.close();
    await until(() => readFileSync(file, 'utf8').includes('1 + 41'));
    const second = terminalRepl(hub, file);
    t.after(() => second.server.close());
    await until(() => (second.server as unknown as { history: string[] }).history.includes('1 + 41'));
  });

  it('prints responses with a colored status and indented HTML', async (t) => {
    const hub = new Hub();
    t.after(() => hub.close());
    const session = await hub.register({ url: 'http://page.test/' });
    const list = `<ul id="todo">${'<li>an item of the list</li>'.repeat(5)}</ul>`;
    fakeClient(hub, session, () => new Response(list, { headers: { 'content-type': 'text/html' } }));
    const response = await replHelpers(hub).get(undefined, '//ul');
    assert.equal(response.body, list, 'the body is kept as it came');
    assert.equal(response.ok, true);
    const colored = inspect(response, { colors: true });
    const ESC = '\u001b';
    assert.ok(colored.startsWith(`HTTP/1.1 ${ESC}[32m200 OK${ESC}[39m\n`), 'a green 200');
    assert.match(colored, /\n<ul id="todo">\n {2}<li>an item of the list<\/li>\n/);
    assert.ok(!inspect(response).includes(ESC), 'no colors without a terminal');
  });

  it('open(id) prints the page URL and returns it, and launches nothing on a headless machine', async (t) => {
    const hub = new Hub();
    t.after(() => hub.close());
    await hub.register({ url: 'http://page.test/here' });
    const saved = { DISPLAY: process.env.DISPLAY, WAYLAND_DISPLAY: process.env.WAYLAND_DISPLAY };
    delete process.env.DISPLAY;
    delete process.env.WAYLAND_DISPLAY;
    t.after(() => Object.assign(process.env, JSON.parse(JSON.stringify(saved))));
    const printed: string[] = [];
    assert.equal(replHelpers(hub, (line) => printed.push(line)).open(), 'http://page.test/here');
    assert.deepEqual(printed, ['open http://page.test/here in a browser']);
  });
});
