import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { REVERSE_ORIGIN } from '../protocol/fetch-convert.ts';
import { type DevServer, startDevServer } from './dev-server.ts';

/** A raw TCP client that keeps everything it received, chunk by chunk. */
class RawPeer {
  readonly socket: Socket;
  readonly chunks: Buffer[] = [];
  #waiters: (() => void)[] = [];
  closed = false;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.socket.on('close', () => {
      this.closed = true;
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.socket.on('error', () => {});
  }

  get text(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }

  write(text: string): void {
    this.socket.write(Buffer.from(text, 'latin1'));
  }

  /** Waits until what was received passes `test` (or the socket closes). */
  async until(test: (text: string) => boolean, ms = 3_000): Promise<string> {
    const deadline = Date.now() + ms;
    while (!test(this.text)) {
      if (this.closed) throw new Error(`closed; received ${JSON.stringify(this.text)}`);
      if (Date.now() > deadline) throw new Error(`timed out; received ${JSON.stringify(this.text)}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.text;
  }

  /** Drops what was received so far. */
  clear(): void {
    this.chunks.length = 0;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The head of an upgrade request. */
function upgradeRequest(port: number, options: { target?: string; upgrade?: string; extra?: string } = {}): string {
  const { target = '/ptth/reverse', upgrade = 'PTTH/1.0', extra = '' } = options;
  return `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: ${upgrade}\r\nConnection: Upgrade\r\nContent-Length: 0\r\n${extra}\r\n`;
}

const HEAD_101 =
  /^HTTP\/1\.1 101 Switching Protocols\r\nUpgrade: (PTTH\/[01]\.[09])\r\nConnection: Upgrade\r\nPtth-Id: ([\w-]{22})\r\nPtth-Secret: ([\w-]{22})\r\n(?:Ptth-Ack: (\d+)\r\n)?\r\n/;

async function waitFor(test: () => boolean | Promise<boolean>, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('PTTH upgrade on the dev server (raw sockets)', () => {
  let dev: DevServer;
  let port: number;
  const peers: RawPeer[] = [];
  const peer = () => {
    const made = new RawPeer(port);
    peers.push(made);
    return made;
  };
  /** Upgrades a raw peer; returns it with its id and secret. */
  async function turned(extra = '', target = '/ptth/reverse?instance=i1') {
    const raw = peer();
    raw.write(upgradeRequest(port, { target, extra }));
    const text = await raw.until((received) => HEAD_101.test(received));
    const match = HEAD_101.exec(text) as RegExpExecArray;
    raw.clear();
    raw.chunks.push(Buffer.from(text.slice(match[0].length), 'latin1'));
    return { raw, id: match[2] as string, secret: match[3] as string };
  }

  before(async () => {
    dev = await startDevServer({ port: 0, hub: { requestTimeoutMs: 1_500 } });
    port = Number(new URL(dev.url).port);
  });
  after(async () => {
    for (const raw of peers) raw.close();
    await dev.close();
  });

  it('answers an AirPlay-style upgrade with the exact 101 head, in one write', async () => {
    const raw = peer();
    raw.write(
      `POST /ptth/reverse HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Apple-Purpose: event\r\nContent-Length: 0\r\nUpgrade: PTTH/1.0\r\nConnection: Upgrade\r\nX-Apple-Session-ID: 3c4b6f1e-1d5a-4f4e-9a57-7c1f2d2d9a11\r\n\r\n`,
    );
    await raw.until((text) => text.endsWith('\r\n\r\n'));
    assert.equal(raw.chunks.length, 1, 'the whole head arrives in one chunk');
    const match = HEAD_101.exec(raw.text);
    assert.ok(match, raw.text);
    assert.equal(match[1], 'PTTH/1.0');
    assert.equal(match[4], '0');
    assert.equal(match[0], raw.text, 'nothing else after the head');
  });

  it('lists the peer with transport "ptth" and reaches it with hub.fetch; requests carry an empty Host', async () => {
    const { raw, id } = await turned('User-Agent: raw-test\r\n');
    const listed = (await (await fetch(`${dev.url}ptth/clients`)).json()) as { id: string; transport: string }[];
    assert.equal(listed.find((client) => client.id === id)?.transport, 'ptth');
    const pending = dev.hub.fetch(
      id,
      new Request(`${REVERSE_ORIGIN}/event`, { method: 'POST', body: 'hi', headers: { 'content-type': 'text/plain' } }),
    );
    const request = await raw.until((text) => text.endsWith('\r\n\r\nhi'));
    assert.match(request, /^POST \/event HTTP\/1\.1\r\nPtth-Id: \S+\r\nPtth-Seq: 1\r\nHost: \r\n/);
    assert.match(request, /\r\ncontent-type: text\/plain\r\nContent-Length: 2\r\n\r\nhi$/);
    raw.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok');
    const response = await pending;
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'ok');
  });

  it('answers PTTH/0.9 with PTTH/0.9', async () => {
    const raw = peer();
    raw.write(upgradeRequest(port, { upgrade: 'PTTH/0.9' }));
    const text = await raw.until((received) => HEAD_101.test(received));
    assert.equal(HEAD_101.exec(text)?.[1], 'PTTH/0.9');
  });

  it('writes a request queued before the socket came in the same write as the 101', async () => {
    const first = await turned('', '/ptth/reverse?instance=same-write');
    first.raw.close();
    const session = dev.hub.session(first.id);
    await waitFor(() => session?.poll === null);
    const pending = dev.hub.fetch(first.id, new Request(`${REVERSE_ORIGIN}/queued`));
    await waitFor(async () => (await dev.hub.store.unanswered(first.id)).length === 1);
    const again = peer();
    again.write(
      upgradeRequest(port, {
        target: `/ptth/reverse?id=${first.id}&instance=same-write`,
        extra: `Ptth-Secret: ${first.secret}\r\n`,
      }),
    );
    await again.until((text) => text.includes('GET /queued HTTP/1.1'));
    assert.equal(again.chunks.length, 1, 'the 101 and the request came in one chunk');
    assert.match(again.text, /^HTTP\/1\.1 101 Switching Protocols\r\n[\s\S]*\r\n\r\nGET \/queued HTTP\/1\.1\r\n/);
    assert.doesNotMatch(again.text, /Ptth-Ack/, 'a socket joining its session keeps its acknowledgements');
    again.write('HTTP/1.1 204 No Content\r\n\r\n');
    assert.equal((await pending).status, 204);
  });

  const refusals: { name: string; request: (port: number) => string; status: number; body: RegExp }[] = [
    {
      name: 'an Upgrade to another protocol is 426 naming PTTH/1.0',
      request: (port) => upgradeRequest(port, { upgrade: 'websocket' }),
      status: 426,
      body: /Upgrade: websocket/,
    },
    {
      name: 'PTTH without Connection: Upgrade is 400',
      request: (port) =>
        `POST /ptth/reverse HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: PTTH/1.0\r\nContent-Length: 0\r\n\r\n`,
      status: 400,
      body: /without \\"Connection: Upgrade\\"/,
    },
    {
      name: 'no Upgrade at all is an ordinary 426 answer',
      request: (port) => `POST /ptth/reverse HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 0\r\n\r\n`,
      status: 426,
      body: /no Upgrade header/,
    },
    {
      name: 'a Host that is not allowed is 403',
      request: () => upgradeRequest(0).replace(/Host: [^\r]*/, 'Host: evil.example'),
      status: 403,
      body: /evil\.example/,
    },
    {
      name: 'a secret in the URL is 400',
      request: (port) => upgradeRequest(port, { target: '/ptth/reverse?secret=x' }),
      status: 400,
      body: /Ptth-Secret header/,
    },
    {
      name: 'a cross-site Origin is 403',
      request: (port) => upgradeRequest(port, { extra: 'Origin: https://evil.example\r\n' }),
      status: 403,
      body: /Cross-site/,
    },
  ];
  for (const refusal of refusals) {
    it(refusal.name, async () => {
      const raw = peer();
      raw.write(refusal.request(port));
      const text = await raw.until((received) => /\r\n\r\n[\s\S]*\}$/.test(received));
      assert.match(text, new RegExp(`^HTTP/1\\.1 ${refusal.status} [A-Z]`));
      assert.doesNotMatch(text, /101 Switching/);
      assert.match(text, refusal.body);
      if (refusal.status === 426) assert.match(text, /\r\nupgrade: PTTH\/1\.0\r\n/i);
    });
  }

  it('answers an upgrade to another path as if no upgrade was asked', async () => {
    const raw = peer();
    raw.write(upgradeRequest(port, { target: '/ptth/clients', upgrade: 'websocket' }).replace('POST', 'GET'));
    const text = await raw.until((received) => received.endsWith(']'));
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*content-type: application\/json/);
  });

  it('pipelines many requests on one socket and matches the answers by their order', async () => {
    const { raw, id } = await turned('', '/ptth/reverse?instance=pipelined');
    const calls = ['/a', '/b', '/c'].map((path) => dev.hub.fetch(id, new Request(REVERSE_ORIGIN + path)));
    await raw.until((text) => (text.match(/^GET /gm) ?? []).length === 3);
    assert.deepEqual(
      Array.from(
        raw.text.matchAll(/^GET (\S+) HTTP\/1\.1\r\nPtth-Id: \S+\r\nPtth-Seq: (\d+)/gm),
        (m) => `${m[1]}#${m[2]}`,
      ),
      ['/a#1', '/b#2', '/c#3'],
    );
    // Answered in one write, the second in chunks, as Node's http.Server would.
    raw.write(
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA' +
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n1\r\nB\r\n0\r\n\r\n' +
        'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nC',
    );
    const responses = await Promise.all(calls);
    assert.deepEqual(await Promise.all(responses.map((response) => response.text())), ['A', 'B', 'C']);
    assert.equal(responses[1]?.headers.get('connection'), null, 'hop-by-hop fields stay on the socket');
  });

  it('a malformed answer is a 502 for its caller, and the requests behind it go to the next socket', async () => {
    const { raw, id, secret } = await turned('', '/ptth/reverse?instance=malformed');
    const first = dev.hub.fetch(id, new Request(`${REVERSE_ORIGIN}/one`));
    const second = dev.hub.fetch(id, new Request(`${REVERSE_ORIGIN}/two`));
    await raw.until((text) => text.includes('GET /two'));
    raw.write('HTTP/1.1 banana\r\n\r\n');
    const bad = await first;
    assert.equal(bad.status, 502);
    assert.match(await bad.text(), /malformed response/);
    const next = peer();
    next.write(
      upgradeRequest(port, {
        target: `/ptth/reverse?id=${id}&instance=malformed`,
        extra: `Ptth-Secret: ${secret}\r\n`,
      }),
    );
    const text = await next.until((received) => received.includes('GET /two'));
    assert.match(
      text,
      /GET \/two HTTP\/1\.1\r\nPtth-Id: \S+\r\nPtth-Seq: 2\r\n/,
      'redelivered with its sequence number',
    );
    next.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo');
    assert.equal(await (await second).text(), 'two');
  });

  it('a peer that never answers gives its caller a 504', async () => {
    const { id } = await turned('', '/ptth/reverse?instance=silent');
    const response = await dev.hub.fetch(id, new Request(`${REVERSE_ORIGIN}/never`));
    assert.equal(response.status, 504);
    assert.match(await response.text(), /delivered but not answered/);
  });

  it('reads no body in the answer to HEAD, whatever its Content-Length says', async () => {
    const { raw, id } = await turned('', '/ptth/reverse?instance=head');
    const head = dev.hub.fetch(id, new Request(`${REVERSE_ORIGIN}/h`, { method: 'HEAD' }));
    const get = dev.hub.fetch(id, new Request(`${REVERSE_ORIGIN}/g`));
    await raw.until((text) => text.includes('GET /g'));
    raw.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');
    assert.equal((await head).headers.get('content-length'), '5');
    assert.equal(await (await get).text(), 'hello');
  });

  it('keeps an idle turned socket open past the server keep-alive timeout', async () => {
    dev.server.keepAliveTimeout = 100;
    const { raw, id } = await turned('', '/ptth/reverse?instance=idle');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(raw.closed, false);
    const pending = dev.hub.fetch(id, new Request(`${REVERSE_ORIGIN}/late`));
    await raw.until((text) => text.includes('GET /late'));
    raw.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    assert.equal((await pending).status, 200);
    dev.server.keepAliveTimeout = 65_000;
  });

  it('spreads requests over two sockets of one peer', async () => {
    const one = await turned('', '/ptth/reverse?instance=two-sockets');
    const two = peer();
    two.write(
      upgradeRequest(port, {
        target: `/ptth/reverse?id=${one.id}&instance=two-sockets`,
        extra: `Ptth-Secret: ${one.secret}\r\n`,
      }),
    );
    await two.until((text) => HEAD_101.test(text));
    assert.equal(HEAD_101.exec(two.text)?.[2], one.id, 'the second socket joins the same client');
    two.clear();
    const calls = ['/x', '/y'].map((path) => dev.hub.fetch(one.id, new Request(REVERSE_ORIGIN + path)));
    await one.raw.until((text) => text.includes('GET /'));
    await two.until((text) => text.includes('GET /'));
    one.raw.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none');
    two.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo');
    const bodies = await Promise.all((await Promise.all(calls)).map((response) => response.text()));
    assert.deepEqual(bodies.sort(), ['one', 'two']);
  });
});

describe('PTTH upgrade with a token', () => {
  it('refuses an upgrade without the token (401) and turns one with it', async () => {
    const dev = await startDevServer({ port: 0, token: 'sesame' });
    const port = Number(new URL(dev.url).port);
    try {
      const without = new RawPeer(port);
      without.write(upgradeRequest(port));
      assert.match(await without.until((text) => text.endsWith('}')), /^HTTP\/1\.1 401 Unauthorized\r\n/);
      const withToken = new RawPeer(port);
      withToken.write(upgradeRequest(port, { extra: 'Authorization: Bearer sesame\r\n' }));
      await withToken.until((text) => HEAD_101.test(text));
      withToken.close();
    } finally {
      await dev.close();
    }
  });
});
