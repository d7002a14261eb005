/**
 * Real Reverse HTTP end to end: the example peer (scripts/nat-peer.mjs, a separate Node process
 * that only dials out) upgrades to PTTH, and the gateway reaches it curl-style, as it reaches a
 * browser tab. No browser here: Playwright's request context plays curl.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { startTestProxy } from '../src/peer/test-proxy.ts';
import { expect, test } from './fixtures.ts';

interface NatPeer {
  id: string;
  process: ChildProcess;
  output: () => string;
}

/** Starts the example peer against `url`; resolves once it says it is open. */
async function startNatPeer(url: string, ...args: string[]): Promise<NatPeer> {
  const child = spawn(process.execPath, ['scripts/nat-peer.mjs', '--url', url, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await expect.poll(() => /open: id (\S+)/.exec(output)?.[1], { timeout: 10_000, message: output }).toBeTruthy();
  return { id: /open: id (\S+)/.exec(output)?.[1] as string, process: child, output: () => output };
}

test.describe('a Node peer behind NAT, over PTTH', () => {
  const children: ChildProcess[] = [];
  test.afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGTERM');
  });

  test('the gateway reaches it curl-style: read, watch it count, write, and a bad XPath fails fast', async ({
    server,
    request,
  }) => {
    const peer = await startNatPeer(`${server.url}ptth/reverse`);
    children.push(peer.process);
    const clients = await (await request.get(`${server.url}ptth/clients`)).json();
    expect(clients).toContainEqual(expect.objectContaining({ id: peer.id, transport: 'ptth', dom: true }));
    const T = `${server.url}ptth/clients/${peer.id}`;

    const counter = await request.get(`${T}/status/counter`);
    expect(counter.status()).toBe(200);
    expect(counter.headers()['content-type']).toMatch(/^application\/xml/);
    expect(await counter.text()).toMatch(/^<counter>\d+<\/counter>$/);
    // A watching GET waits until the counter moves (the document changes by itself, every
    // second); polled, because the counter may move between reading the ETag and watching.
    await expect
      .poll(async () => {
        const now = await request.get(`${T}/status/counter`);
        const watched = await request.get(`${T}/status/counter`, {
          headers: { 'if-none-match': now.headers().etag as string, prefer: 'wait=5' },
        });
        const moved = (await watched.text()) !== (await now.text());
        return `${watched.status()} ${watched.headers()['preference-applied']} ${moved}`;
      })
      .toBe('200 wait=5 true');

    const put = await request.put(`${T}/status/notes/note`, {
      headers: { 'content-type': 'application/xml' },
      data: '<note>from the gateway</note>',
    });
    expect(put.status()).toBe(200);
    const post = await request.post(`${T}/status/notes`, {
      headers: { 'content-type': 'application/xml' },
      data: '<note>second</note>',
    });
    expect(post.status()).toBe(201);
    expect(post.headers().location).toBe(`/ptth/clients/${peer.id}/status/notes/note[2]`);
    expect(await (await request.get(`${T}/count(//note)`)).text()).toBe('2');
    expect((await request.delete(`${T}/status/notes/note[1]`)).status()).toBe(204);
    expect(await (await request.get(`${T}/string(//note)`)).text()).toBe('second');

    const bad = await request.get(`${T}//note[`);
    expect(bad.status()).toBe(400);
    expect(await bad.json()).toMatchObject({ checkedBy: 'gateway' });
    expect(peer.output()).toMatch(/DELETE \/status\/notes\/note\[1\] 204/);
  });

  test('three turned sockets serve fifty gateway requests at once', async ({ server, request }) => {
    const peer = await startNatPeer(`${server.url}ptth/reverse`, '--connections', '3');
    children.push(peer.process);
    const T = `${server.url}ptth/clients/${peer.id}`;
    const answers = await Promise.all(Array.from({ length: 50 }, () => request.get(`${T}/status/host`)));
    expect(answers.map((answer) => answer.status())).toEqual(Array(50).fill(200));
  });

  test('behind a proxy that strips Upgrade it falls back to long-polling and is still reachable', async ({
    server,
    request,
  }) => {
    const proxy = await startTestProxy(server.url, { strip: true });
    try {
      const peer = await startNatPeer(`${proxy.url}ptth/reverse`);
      children.push(peer.process);
      expect(peer.output()).toMatch(/transport: long-poll/);
      const clients = await (await request.get(`${server.url}ptth/clients`)).json();
      expect(clients).toContainEqual(expect.objectContaining({ id: peer.id, transport: 'long-poll' }));
      const host = await request.get(`${server.url}ptth/clients/${peer.id}/status/host`);
      expect(host.status()).toBe(200);
      expect(await host.text()).toMatch(/^<host>.*<\/host>$/);
    } finally {
      for (const child of children.splice(0)) child.kill('SIGTERM');
      await proxy.close();
    }
  });
});
