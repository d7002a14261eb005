import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { CliError } from './cli-args.ts';
import type { CliIo } from './cli-commands.ts';
import { serveCommand } from './cli-serve.ts';

function io(env: Record<string, string> = {}) {
  const out = { text: '' };
  const streams: CliIo = {
    stdout: { write: (chunk) => (out.text += String(chunk)) },
    stderr: { write: (chunk) => (out.text += chunk) },
    stdin: Readable.from([]),
    env,
  };
  return { out, io: streams };
}

describe('ptth serve', () => {
  it('serves your own pages with --root, and prints where', async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'ptth-pages-'));
    writeFileSync(join(root, 'index.html'), '<!DOCTYPE html><h1>mine</h1>');
    mkdirSync(join(root, 'app'));
    writeFileSync(join(root, 'app', 'style.css'), 'h1 { color: red }');
    const { out, io: streams } = io();
    const { server, repl } = await serveCommand({ port: '0', root }, streams);
    t.after(() => server.close());
    assert.equal(repl, null);
    assert.match(
      out.text,
      /^ptth dev server at http:\/\/127\.0\.0\.1:\d+\/\n {2}gateway: http:\/\/127\.0\.0\.1:\d+\/ptth\/clients\n$/,
    );
    assert.equal(await (await fetch(server.url)).text(), '<!DOCTYPE html><h1>mine</h1>');
    const css = await fetch(`${server.url}app/style.css`);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.equal((await fetch(`${server.url}demo/demo.js`)).status, 404);
    assert.equal((await fetch(`${server.url}../package.json`)).status, 404);
  });

  it('logs JSON lines when verbose (PTTH_LOG=1) with --log-format json', async (t) => {
    const { out, io: streams } = io({ PTTH_LOG: '1', PORT: '0' });
    const { server } = await serveCommand({ 'log-format': 'json' }, streams);
    t.after(() => server.close());
    await fetch(`${server.url}ptth/clients`);
    const lines = out.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(
      lines.map((line) => line.event),
      ['listening', 'request'],
    );
    assert.equal(lines[1].path, '/ptth/clients');
    assert.equal(lines[1].status, 200);
  });

  it('is quiet by default: only the startup lines', async (t) => {
    const { out, io: streams } = io({ PORT: '0' });
    const { server } = await serveCommand({}, streams);
    t.after(() => server.close());
    await fetch(`${server.url}ptth/clients`);
    assert.equal(out.text.split('\n').length, 3);
  });

  const refused: Array<[string, Parameters<typeof serveCommand>[0], Record<string, string>, RegExp, number]> = [
    ['a PORT that is not a number', {}, { PORT: 'eighty' }, /PORT must be a port number, got "eighty"/, 2],
    ['a --port out of range', { port: '70000' }, {}, /--port must be a port number/, 2],
    ['an unknown log format', { port: '0', 'log-format': 'xml' }, {}, /--log-format must be "text" or "json"/, 2],
    ['a --root that is not a folder', { port: '0', root: '/nonexistent/ptth' }, {}, /is not a folder/, 2],
    ['a host beyond loopback without a token', { port: '0', host: '0.0.0.0' }, {}, /without a token/, 1],
  ];
  for (const [what, options, env, message, code] of refused) {
    it(`refuses ${what} (exit ${code})`, async () => {
      await assert.rejects(serveCommand(options, io(env).io), (error) => {
        assert.ok(error instanceof CliError);
        assert.match(error.message, message);
        assert.equal(error.exitCode, code);
        return true;
      });
    });
  }
});
