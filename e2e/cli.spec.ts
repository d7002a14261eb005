/**
 * The `npm start` contract (the built CLI serves the demo on PORT/HOST and keeps running without
 * a TTY), and the `ptth` binary driving a real page.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';

function start(env: Record<string, string>): { child: ChildProcess; url: Promise<string>; output: () => string } {
  const child = spawn(process.execPath, ['dist/server/cli.js'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /ptth dev server at (\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
  return { child, url, output: () => output };
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}

test('npm start serves the demo, the client and the gateway with no TTY, and stops on SIGTERM', async ({ page }) => {
  const { child, url } = start({ PORT: '0', HOST: '127.0.0.1' });
  try {
    const base = await url;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await fetch(base)).status).toBe(200);
    const script = await fetch(`${base}ptth/client.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    await page.goto(base);
    await expect(page.locator('#status')).toHaveAttribute('data-state', 'open');
    const clients = await (await fetch(`${base}ptth/clients`)).json();
    expect(clients).toHaveLength(1);
    const h1 = await fetch(`${base}ptth/clients/${clients[0].id}/html/body/header/h1`);
    expect(await h1.text()).toBe('<h1 id="title">Hello from ptth</h1>');
    expect(child.exitCode).toBeNull();
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exitCode(child)).toBe(0);
});

test('listening beyond loopback needs PTTH_TOKEN', async () => {
  const open = start({ PORT: '0', HOST: '0.0.0.0', PTTH_TOKEN: '' });
  await expect(open.url).rejects.toThrow(/without a token/);
  expect(await exitCode(open.child)).toBe(1);
});

test('a bad PORT or a port in use fails fast with a clear message', async () => {
  const bad = start({ PORT: 'eighty' });
  await expect(bad.url).rejects.toThrow(/PORT must be a port number/);
  expect(await exitCode(bad.child)).toBe(2);

  const first = start({ PORT: '0' });
  try {
    const port = new URL(await first.url).port;
    const second = start({ PORT: port });
    await expect(second.url).rejects.toThrow(/already in use/);
    expect(await exitCode(second.child)).toBe(1);
  } finally {
    first.child.kill('SIGTERM');
  }
});

test('PTTH_ALLOWED_ORIGINS lists the origins whose pages may connect; refusals are logged; a bad entry fails fast', async () => {
  const { child, url, output } = start({ PORT: '0', PTTH_ALLOWED_ORIGINS: 'http://localhost:3000, http://app.test' });
  try {
    const base = await url;
    const preflight = (origin: string) =>
      fetch(`${base}ptth/connect`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const allowed = await preflight('http://app.test');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://app.test');
    const refused = await preflight('http://evil.example');
    expect(refused.status).toBe(403);
    expect(output()).toContain('pages may connect from: http://localhost:3000, http://app.test');
    await expect.poll(output).toContain('ptth: 403 Requests from other origins to /ptth/connect are refused');
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exitCode(child)).toBe(0);

  const bad = start({ PORT: '0', PTTH_ALLOWED_ORIGINS: '*' });
  await expect(bad.url).rejects.toThrow(/must be listed one by one/);
  expect(await exitCode(bad.child)).toBe(1);
});

/** Runs the built `ptth` binary to the end; resolves with its exit code and output. */
function ptth(args: string[], env: Record<string, string> = {}, input?: string) {
  const child = spawn('dist/server/cli.js', args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdin?.end(input);
  const done = exitCode(child).then((code) => ({ code, stdout, stderr }));
  return { child, done, stdout: () => stdout };
}

test('ptth serve --root serves your page with the client; the CLI drives it in Chromium', async ({ page }) => {
  // Eight Node processes start in this test; on a loaded machine each takes a second or more.
  test.setTimeout(90_000);
  const root = mkdtempSync(join(tmpdir(), 'ptth-e2e-pages-'));
  writeFileSync(
    join(root, 'index.html'),
    '<!DOCTYPE html><html><head><script src="/ptth/client.js"></script></head>' +
      '<body><h1>Mine</h1><ul id="list"><li>one</li></ul><input id="name"></body></html>',
  );
  const server = ptth(['serve', '--port', '0', '--root', root]);
  try {
    const base = await new Promise<string>((resolve) => {
      server.child.stdout?.on('data', () => {
        const match = /ptth dev server at (\S+)/.exec(server.stdout());
        if (match?.[1]) resolve(match[1]);
      });
    });
    const env = { PTTH_URL: base };
    await page.goto(base);
    await expect
      .poll(() =>
        page.evaluate(() => (window as { ptth?: { connection?: { state: string } } }).ptth?.connection?.state),
      )
      .toBe('open');
    const id = await page.evaluate(
      () => (window as unknown as { ptth: { connection: { id: string } } }).ptth.connection.id,
    );

    const listed = await ptth(['clients'], env).done;
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(id);

    const prefix = id.slice(0, 5);
    expect(await ptth(['get', prefix, '//h1'], env).done).toEqual({ code: 0, stdout: '<h1>Mine</h1>', stderr: '' });
    expect((await ptth(['put', prefix, '//h1', '<h1>Driven by the CLI</h1>'], env).done).code).toBe(0);
    await expect(page.locator('h1')).toHaveText('Driven by the CLI');
    expect((await ptth(['post', prefix, "//ul[@id='list']", '-'], env, '<li>two</li>').done).code).toBe(0);
    await expect(page.locator('#list li')).toHaveText(['one', 'two']);

    const watch = ptth(['watch', prefix, "//input[@id='name']", '--count', '1'], env);
    await expect.poll(watch.stdout).toContain('<input id="name" value="">');
    await page.locator('#name').fill('Ada');
    const watched = await watch.done;
    expect(watched.code).toBe(0);
    expect(watched.stdout).toBe('<input id="name" value="">\n<input id="name" value="Ada">\n');

    const missing = await ptth(['get', prefix, '//nothing'], env).done;
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/404 Not Found/);
  } finally {
    server.child.kill('SIGTERM');
  }
  expect(await exitCode(server.child)).toBe(0);
});

test('the CLI says so, with exit code 7, when no server is there', async () => {
  const result = await ptth(['clients'], { PTTH_URL: 'http://127.0.0.1:9' }).done;
  expect(result.code).toBe(7);
  expect(result.stderr).toMatch(/cannot reach the ptth server at http:\/\/127\.0\.0\.1:9/);
});

test('ptth serve --help prints its usage instead of serving', async () => {
  const result = await ptth(['serve', '--help']).done;
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/^Usage: ptth serve/);
});
