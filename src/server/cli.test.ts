import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { COMMANDS } from './cli-args.ts';
import type { CliIo } from './cli-commands.ts';
import { runCli } from './cli-main.ts';
import { type DevServer, startDevServer } from './dev-server.ts';
import { connectTestPage, type TestPage } from './test-page.ts';

const PAGE =
  '<!DOCTYPE html><html><body><h1 id="title">Hello</h1><ul id="todo"><li>one</li><li>two</li></ul>' +
  '<input id="name" value=""></body></html>';

/** Runs the CLI with buffers for its streams; resolves with the exit code and what it wrote. */
async function cli(
  argv: string[],
  env: Record<string, string> = {},
  stdin = '',
  signal?: AbortSignal,
  onStdout: (text: string) => void = () => {},
) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: {
      write: (chunk) => {
        stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
        onStdout(stdout);
      },
    },
    stderr: { write: (chunk) => (stderr += chunk) },
    stdin: Readable.from([Buffer.from(stdin)]),
    env,
    ...(signal ? { signal } : {}),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

function emptyDir(): string {
  return mkdtempSync(join(tmpdir(), 'ptth-cli-'));
}

describe('the ptth CLI against a running dev server', () => {
  let server: DevServer;
  let page: TestPage;
  let env: Record<string, string>;

  before(async () => {
    server = await startDevServer({ port: 0, clientDir: emptyDir(), hub: { expireMs: 60_000 } });
    env = { PTTH_URL: server.url };
    page = await connectTestPage(server.url, { html: PAGE });
  });
  after(async () => {
    page?.close();
    await server?.close();
  });

  it('clients lists the connected page as a table, and as JSON with --json', async () => {
    const table = await cli(['clients'], env);
    assert.equal(table.code, 0);
    assert.match(table.stdout, /^ID\s+CONNECTED\s+PENDING\s+URL\n/);
    assert.match(table.stdout, new RegExp(`${page.id}\\s+\\S+Z\\s+0\\s+http://page\\.test/`));
    const json = await cli(['clients', '--json'], env);
    assert.deepEqual(
      JSON.parse(json.stdout).map((client: { id: string }) => client.id),
      [page.id],
    );
  });

  it('get prints the body exactly, with a client id prefix', async () => {
    const result = await cli(['get', page.id.slice(0, 4), '/html/body/h1'], env);
    assert.deepEqual(result, { code: 0, stdout: '<h1 id="title">Hello</h1>', stderr: '' });
  });

  it('get -i prints the status line and headers first', async () => {
    const result = await cli(['get', '-i', page.id, "count(//ul[@id='todo']/li)"], env);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^HTTP\/1\.1 200 OK\n/);
    assert.match(result.stdout, /\ncontent-type: text\/plain[^\n]*\n/);
    assert.match(result.stdout, /\n\n2$/);
  });

  it('put, post (body from stdin), patch and delete change the page', async () => {
    const put = await cli(['put', page.id, '//h1', '<h1 id="title">Hi from the CLI</h1>'], env);
    assert.equal(put.code, 0);
    assert.equal(page.document.querySelector('h1')?.textContent, 'Hi from the CLI');

    const post = await cli(['post', '-i', page.id, "//ul[@id='todo']", '-'], env, '<li>three</li>');
    assert.equal(post.code, 0);
    assert.match(post.stdout, /^HTTP\/1\.1 201 Created\n/);
    assert.match(post.stdout, new RegExp(`location: /ptth/clients/${page.id}/`));
    assert.equal(page.document.querySelectorAll('#todo li').length, 3);

    const patch = await cli(
      [
        'patch',
        '-H',
        'content-type: application/xml-patch+xml',
        page.id,
        "//ul[@id='todo']",
        '<diff><remove sel="li[1]"/></diff>',
      ],
      env,
    );
    assert.equal(patch.code, 0);
    assert.deepEqual(
      Array.from(page.document.querySelectorAll('#todo li'), (li) => li.textContent),
      ['two', 'three'],
    );

    const del = await cli(['delete', page.id, "//ul[@id='todo']/li[last()]"], env);
    assert.deepEqual(del, { code: 0, stdout: '', stderr: '' });
    assert.equal(page.document.querySelectorAll('#todo li').length, 1);
  });

  it('head and options print the status line and headers', async () => {
    const head = await cli(['head', page.id, '//h1'], env);
    assert.equal(head.code, 0);
    assert.match(head.stdout, /^HTTP\/1\.1 200 OK\n[\s\S]*etag: "/);
    const options = await cli(['options', page.id, '//h1'], env);
    assert.equal(options.code, 0);
    assert.match(
      options.stdout,
      /^HTTP\/1\.1 204 No Content\n[\s\S]*allow: GET, HEAD, PUT, POST, PATCH, DELETE, OPTIONS/,
    );
  });

  it('a 4xx answer exits 4 with its problem on stderr and nothing on stdout', async () => {
    const missing = await cli(['get', page.id, '//nothing'], env);
    assert.equal(missing.code, 4);
    assert.equal(missing.stdout, '');
    assert.match(missing.stderr, /^ptth: GET \/\/nothing: 404 Not Found: .*\/\/nothing/);
    const bad = await cli(['get', page.id, '//li['], env);
    assert.equal(bad.code, 4);
    assert.match(bad.stderr, /400 Bad Request: XPath "\/\/li\[" is not valid/);
    const withHead = await cli(['get', '-i', page.id, '//nothing'], env);
    assert.equal(withHead.code, 4);
    assert.match(withHead.stdout, /^HTTP\/1\.1 404 Not Found\n[\s\S]*application\/problem\+json[\s\S]*"status":404/);
  });

  it('a 5xx answer exits 5', async () => {
    const failing = await connectTestPage(server.url, { handler: () => new Response('boom', { status: 500 }) });
    try {
      const result = await cli(['get', failing.id, '/anything'], env);
      assert.equal(result.code, 5);
      assert.match(result.stderr, /500 Internal Server Error: boom/);
    } finally {
      failing.close();
    }
  });

  it('an ambiguous id prefix is an error that lists the matches', async () => {
    const other = await connectTestPage(server.url);
    try {
      const result = await cli(['get', '', '//h1'], env);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /"" matches 2 clients: /);
      assert.ok(result.stderr.includes(page.id) && result.stderr.includes(other.id));
      const unknown = await cli(['get', 'nobody-has-this-id', '//h1'], env);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /No client id starts with "nobody-has-this-id" \(connected: /);
    } finally {
      other.close();
    }
  });

  it('watch prints the node, then each change, and stops after --count changes', async () => {
    const lines = (text: string) => text.split('\n').length - 1;
    let printed = (_count: number) => {};
    // A watch that missed a change would wait forever: stop it after a while, and fail.
    const watching = cli(
      ['watch', page.id, "//input[@id='name']", '--count', '2', '--wait', '5'],
      env,
      '',
      AbortSignal.timeout(20_000),
      (text) => printed(lines(text)),
    );
    const input = page.document.querySelector('input') as HTMLInputElement;
    const view = page.document.defaultView as Window & typeof globalThis;
    // Type as a user would: the value changes and an input event fires, no attribute changes.
    for (const [shown, value] of [
      [1, 'A'],
      [2, 'Ad'],
    ] as const) {
      await Promise.race([
        new Promise<void>((resolve) => {
          printed = (count) => count >= shown && resolve();
        }),
        watching,
      ]);
      input.value = value;
      input.dispatchEvent(new view.Event('input', { bubbles: true }));
    }
    const result = await watching;
    assert.equal(result.code, 0);
    assert.equal(result.stdout, ['', 'A', 'Ad'].map((value) => `<input id="name" value="${value}">\n`).join(''));
  });

  it('watch ends quietly when interrupted, and exits 4 when the node is gone', async () => {
    const interrupt = new AbortController();
    const watching = cli(['watch', page.id, '//h1', '--wait', '5'], env, '', interrupt.signal, () => interrupt.abort());
    const stopped = await watching;
    assert.equal(stopped.code, 0);
    assert.match(stopped.stdout, /^<h1 id="title">[^<]*<\/h1>\n$/);
    const gone = await cli(['watch', page.id, '//h2'], env);
    assert.equal(gone.code, 4);
    assert.match(gone.stderr, /watching \/\/h2: 404/);
  });
  it('watch waits out a 503 (a page reloading) and refuses pages that cannot be watched', async () => {
    let calls = 0;
    const flaky = await connectTestPage(server.url, {
      handler: () => {
        calls++;
        if (calls === 2) return new Response('reloading', { status: 503, headers: { 'retry-after': '1' } });
        return new Response(`v${calls}`, { headers: { etag: `"${calls}"` } });
      },
    });
    const noEtag = await connectTestPage(server.url, { handler: () => new Response('same') });
    const stubborn = await connectTestPage(server.url, {
      handler: () => new Response('same', { headers: { etag: '"same"' } }),
    });
    try {
      const started = Date.now();
      const watched = await cli(['watch', flaky.id, '/x', '--count', '1'], env);
      assert.deepEqual(watched, { code: 0, stdout: 'v1\nv3\n', stderr: '' });
      assert.ok(Date.now() - started >= 900, 'waited for Retry-After');
      const bare = await cli(['watch', noEtag.id, '/x'], env);
      assert.equal(bare.code, 1);
      assert.match(bare.stderr, /has no ETag, so it cannot be watched/);
      const spinning = await cli(['watch', stubborn.id, '/x'], env);
      assert.equal(spinning.code, 1);
      assert.equal(spinning.stdout, 'same\n');
      assert.match(spinning.stderr, /answered 200 with the same ETag/);
    } finally {
      for (const page of [flaky, noEtag, stubborn]) page.close();
    }
  });
});

describe('the ptth CLI', () => {
  it('cannot reach a server: exit 7 and a hint', async () => {
    const server = await startDevServer({ port: 0, clientDir: emptyDir() });
    const url = server.url;
    await server.close();
    const result = await cli(['clients', '--url', url]);
    assert.equal(result.code, 7);
    assert.match(result.stderr, /cannot reach the ptth server at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });

  it('sends --token or PTTH_TOKEN as a Bearer credential', async (t) => {
    const server = await startDevServer({ port: 0, clientDir: emptyDir(), token: 'sesame' });
    t.after(() => server.close());
    const refused = await cli(['clients', '--url', server.url]);
    assert.equal(refused.code, 4);
    assert.match(refused.stderr, /401 Unauthorized: .*PTTH_TOKEN/);
    assert.equal((await cli(['clients', '--url', server.url, '--token', 'sesame'])).code, 0);
    assert.equal((await cli(['clients'], { PTTH_URL: server.url, PTTH_TOKEN: 'sesame' })).code, 0);
  });

  const usage: Array<[string, string[], RegExp]> = [
    ['an unknown command', ['fetch'], /Unknown command "fetch"/],
    ['a missing argument', ['get', 'abc'], /"ptth get" takes 2 arguments, got 1/],
    ['a body where none is taken', ['get', 'abc', '//h1', 'x'], /takes 2 arguments, got 3/],
    ['an option of another command', ['get', '--port', '1', 'abc', '//h1'], /"ptth get" does not take --port/],
    ['an unknown option', ['clients', '--colour'], /Unknown option '--colour'/],
    ['a bad header', ['get', '-H', 'nocolon', 'abc', '//h1'], /-H wants "name: value"/],
    ['a bad --wait', ['watch', '--wait', '99', 'abc', '//h1'], /--wait must be a whole number from 1 to 25/],
    ['a bad --url', ['clients', '--url', 'not a url'], /--url must be a URL/],
  ];
  for (const [what, argv, message] of usage) {
    it(`${what} is a usage error (exit 2)`, async () => {
      const result = await cli(argv, { PTTH_URL: 'http://127.0.0.1:9' });
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
    });
  }

  it('every command has --help, and "help" alone gives the overview', async () => {
    for (const command of Object.keys(COMMANDS).filter((name) => name !== 'help')) {
      const result = await cli([command, '--help']);
      assert.equal(result.code, 0);
      assert.match(result.stdout, new RegExp(`^Usage: ptth ${command}`), command);
    }
    for (const argv of [['--help'], ['help'], ['-h']]) {
      assert.match((await cli(argv)).stdout, /^ptth: make HTTP requests on live web pages/);
    }
    assert.match((await cli(['help', 'watch'])).stdout, /^Usage: ptth watch/);
  });
});
