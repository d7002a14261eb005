import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { REVERSE_ORIGIN } from '../protocol/fetch-convert.ts';
import { MAX_SHARED_CLIENTS } from '../protocol/long-poll-wire.ts';
import type { ReverseRequest, ReverseResponse } from '../protocol/message.ts';
import { devApp } from '../server/dev-server.ts';
import { Hub } from '../server/hub.ts';
import { toNodeListener } from '../server/node-adapter.ts';
import type { GroupMember } from './group-member.ts';
import { localLocks } from './locks.ts';
import { LATE_MS, soloGroup, TabGroup } from './tab-group.ts';

/** Resolves once `get` gives a value, or rejects after `ms`. */
async function waitForValue<T>(get: () => T | undefined, ms = 3_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A hub behind a real loopback server, closed after the test; `base` is its endpoint. */
async function serveHub(t: TestContext, holdMs = 5_000): Promise<{ hub: Hub; base: string }> {
  const hub = new Hub({ holdMs, expireMs: 60_000 });
  const server = createServer(toNodeListener(devApp(hub)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    hub.close();
    server.closeAllConnections();
    server.close();
  });
  return { hub, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ptth` };
}

/** The target's response fields a proxy passes back (the framing is its own). */
function passedHeaders(response: Response): Record<string, string> {
  const out: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'transfer-encoding' && name !== 'content-length' && name !== 'connection') out[name] = value;
  });
  return out;
}

/**
 * A loopback proxy to `target` (the hub's endpoint): each request goes on whole once it came (and
 * `seen` is told of it, with its body) and `before` let it (by default at once), and `relay`
 * writes the target's response back. Its base, closed after the test.
 */
async function proxy(
  t: TestContext,
  target: string,
  relay: (response: Response, res: ServerResponse) => Promise<void>,
  seen: (req: IncomingMessage, body: Buffer) => void,
  before: (body: string) => Promise<void> = async () => {},
): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => void pass().catch(() => res.destroy()));
    const pass = async () => {
      const headers = { ...req.headers } as Record<string, string>;
      delete headers.host;
      delete headers.connection;
      const method = req.method ?? 'GET';
      const body = Buffer.concat(chunks);
      seen(req, body);
      await before(body.toString());
      const response = await fetch(new URL(req.url ?? '/', target), {
        method,
        headers,
        body: method === 'GET' ? undefined : body,
      });
      await relay(response, res);
    };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/ptth`;
}

/**
 * Writes the target's response back as it comes, its head at once and each chunk through
 * `write` (by default as it is), in order.
 */
async function relayAsItComes(
  response: Response,
  res: ServerResponse,
  write: (chunk: Uint8Array) => Promise<void> | void = (chunk) => void res.write(chunk),
): Promise<void> {
  res.writeHead(response.status, passedHeaders(response));
  res.flushHeaders();
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) await write(read.value);
  res.end();
}

/** A tab group on `base` that retries fast (10 to 50 ms), closed after the test. */
function groupOn(t: TestContext, base: string): TabGroup {
  const group = new TabGroup(base, localLocks(), { minBackoffMs: 10, maxBackoffMs: 50 });
  t.after(() => group.close());
  return group;
}

/** Has a member of `instance` join `group`, which makes it poll again, and checks which polls so far asked for a stream. */
async function joinAndCheckStreams(
  hub: Hub,
  group: TabGroup,
  instance: string,
  holdMs: number,
  accepts: string[],
  streamed: boolean[],
): Promise<void> {
  await joinEcho(hub, group, instance, holdMs);
  await waitForValue(() => (accepts.length >= streamed.length ? true : undefined));
  assert.deepEqual(
    accepts.map((accept) => /ndjson/.test(accept)),
    streamed,
  );
}

/** A proxy's `seen` that records into `accepts` the `Accept` of every poll but the answers-only ones. */
function pollsInto(accepts: string[]): (req: IncomingMessage, body: Buffer) => void {
  return (req, body) => {
    if (req.url?.endsWith('/poll') && !body.includes('"hold":false')) accepts.push(req.headers.accept ?? '');
  };
}

/**
 * A proxy that buffers: it passes each response's body on only once the whole of it came, as
 * nginx may with `proxy_buffering` (which sends the head at once: `head: 'at once'`), or the
 * head too (`'held'`); until `pass()` (from then on, each piece as it comes). `accepts` records
 * the `Accept` of every poll through it but the answers-only ones.
 */
async function bufferingProxy(
  t: TestContext,
  target: string,
  head: 'held' | 'at once' = 'held',
): Promise<{ base: string; accepts: string[]; pass(): void }> {
  const accepts: string[] = [];
  let buffering = true;
  const base = await proxy(
    t,
    target,
    async (response, res) => {
      if (!buffering) return relayAsItComes(response, res);
      if (head === 'at once') {
        res.writeHead(response.status, passedHeaders(response));
        res.flushHeaders();
        res.end(Buffer.from(await response.arrayBuffer()));
        return;
      }
      const body = Buffer.from(await response.arrayBuffer());
      res.writeHead(response.status, { ...passedHeaders(response), 'content-length': String(body.length) });
      res.end(body);
    },
    pollsInto(accepts),
  );
  return {
    base,
    accepts,
    pass: () => {
      buffering = false;
    },
  };
}

/**
 * A proxy whose path can die without a word: after `cut()`, the streamed polls open through it
 * pass nothing more on, and their connections stay open (a NAT that forgot them, a laptop that
 * slept). New requests go through whole. `polls` records the `Accept` of every poll but the
 * answers-only ones.
 */
async function stallingProxy(t: TestContext, target: string): Promise<{ base: string; polls: string[]; cut(): void }> {
  const polls: string[] = [];
  let cuts = 0;
  const base = await proxy(
    t,
    target,
    async (response, res) => {
      const era = cuts;
      res.writeHead(response.status, passedHeaders(response));
      res.flushHeaders();
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        // Cut since this request came: its path is dead, its connection stays.
        if (cuts !== era) return;
        res.write(read.value);
      }
      if (cuts === era) res.end();
    },
    pollsInto(polls),
  );
  return {
    base,
    polls,
    cut: () => {
      cuts++;
    },
  };
}

/** A member that answers each request with its path. */
function echoMember(group: TabGroup, card: () => ReturnType<GroupMember['card']>): GroupMember {
  const member: GroupMember = {
    card,
    receive: (_id, requests: ReverseRequest[]) =>
      group.answer(
        member,
        requests.map((request) => ({
          id: request.id,
          status: 200,
          statusText: '',
          headers: [],
          body: new TextEncoder().encode(`answered ${request.path}`),
        })),
      ),
    refused: () => {},
    failed: () => {},
    recovered: () => {},
    full: () => {},
  };
  return member;
}

/**
 * Registers a client on `hub` and has an echoing member of it (holding `holdMs`) join `group`,
 * after `prepare` saw it (to watch or change it); its id.
 */
async function joinEcho(
  hub: Hub,
  group: TabGroup,
  instance: string,
  holdMs: number,
  prepare: (member: GroupMember) => void = () => {},
): Promise<string> {
  const session = await hub.register({ url: 'http://page.test/', instance });
  const card = () => ({
    id: session.id,
    secret: session.secret,
    instance,
    ack: 0,
    holdMs,
    maxBodyBytes: Number.POSITIVE_INFINITY,
  });
  const member = echoMember(group, card);
  prepare(member);
  group.join(member);
  return session.id;
}

describe('TabGroup', () => {
  it('stops asking for streamed polls when a proxy holds the lines back, and then answers at once', async (t) => {
    // The hold must outlast LATE_MS: the buffered line comes when the stream ends, a hold later.
    const holdMs = LATE_MS + 1_000;
    const { hub, base: hubBase } = await serveHub(t, holdMs);
    const { base, accepts } = await bufferingProxy(t, hubBase);
    const group = groupOn(t, base);
    const id = await joinEcho(hub, group, 'tab-3', holdMs);
    const first = await hub.fetch(id, '/held-back', { timeoutMs: holdMs * 3 });
    assert.equal(await first.text(), 'answered /held-back');
    assert.match(accepts[0] ?? '', /application\/x-ndjson/);
    const started = performance.now();
    const second = await hub.fetch(id, '/at-once', { timeoutMs: holdMs * 3 });
    assert.equal(await second.text(), 'answered /at-once');
    assert.ok(performance.now() - started < 1_000, `answered after ${Math.round(performance.now() - started)} ms`);
    assert.doesNotMatch(accepts.at(-1) ?? '', /ndjson/);
  });

  it('stops asking for streams within LATE_MS when a proxy passes the head on but holds the lines back', async (t) => {
    // The hold outlasts LATE_MS by far: a buffered line would come when the stream ends.
    const holdMs = LATE_MS + 3_000;
    const { hub, base: hubBase } = await serveHub(t, holdMs);
    const { base, accepts } = await bufferingProxy(t, hubBase, 'at once');
    const group = groupOn(t, base);
    const id = await joinEcho(hub, group, 'tab-6', holdMs);
    const asked = performance.now();
    const first = await hub.fetch(id, '/held-back', { timeoutMs: holdMs * 3 });
    assert.equal(await first.text(), 'answered /held-back');
    // The stream's first line, which the hub writes at once, did not come within LATE_MS.
    const took = performance.now() - asked;
    assert.ok(took < LATE_MS + 1_500, `answered after ${Math.round(took)} ms`);
    assert.match(accepts[0] ?? '', /application\/x-ndjson/);
    assert.doesNotMatch(accepts.at(-1) ?? '', /ndjson/);
  });

  it('asks for streams again a while after it stopped, and keeps them once they flow', async (t) => {
    const holdMs = 5_000;
    const streamRetryMs = 300;
    const { hub, base: hubBase } = await serveHub(t, holdMs);
    const proxy = await bufferingProxy(t, hubBase, 'at once');
    const group = new TabGroup(proxy.base, localLocks(), { minBackoffMs: 10, maxBackoffMs: 50, streamRetryMs });
    t.after(() => group.close());
    const id = await joinEcho(hub, group, 'tab-5', holdMs);
    const call = async (path: string) => (await hub.fetch(id, path, { timeoutMs: 10_000 })).text();
    assert.equal(await call('/buffered'), 'answered /buffered');
    assert.doesNotMatch(proxy.accepts.at(-1) ?? '', /ndjson/);
    // The proxy stops buffering (it was a hiccup, or someone fixed it); the retry is due.
    proxy.pass();
    await new Promise((resolve) => setTimeout(resolve, streamRetryMs + 100));
    assert.equal(await call('/retry-due'), 'answered /retry-due');
    await waitForValue(() => (/ndjson/.test(proxy.accepts.at(-1) ?? '') ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const polls = proxy.accepts.length;
    for (const path of ['/streamed-1', '/streamed-2', '/streamed-3'])
      assert.equal(await call(path), `answered ${path}`);
    // Answered on the open stream (their answers on posts): no new poll.
    assert.equal(proxy.accepts.length, polls);
  });

  it('waits the retry time once per stop, however many lines of the stream came late', async (t) => {
    const holdMs = LATE_MS + 1_000;
    const streamRetryMs = 300;
    const { hub, base: hubBase } = await serveHub(t, holdMs);
    const proxy = await bufferingProxy(t, hubBase);
    const group = new TabGroup(proxy.base, localLocks(), { minBackoffMs: 10, maxBackoffMs: 50, streamRetryMs });
    t.after(() => group.close());
    const id = await joinEcho(hub, group, 'tab-7', holdMs);
    const call = async (path: string) => (await hub.fetch(id, path, { timeoutMs: holdMs * 3 })).text();
    // Four lines in one held-back stream, each late when the hold lets them through.
    for (const path of ['/a', '/b', '/c', '/d']) {
      void call(path);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const plain = await waitForValue(() => {
      const at = proxy.accepts.findIndex((accept) => !/ndjson/.test(accept));
      return at < 0 ? undefined : at;
    }, holdMs * 2);
    await new Promise((resolve) => setTimeout(resolve, streamRetryMs + 200));
    assert.equal(await call('/due'), 'answered /due');
    // The next poll asks for a stream again: the wait was the retry time, not 2, 4 or 8 times it.
    await waitForValue(() =>
      proxy.accepts.slice(plain + 1).some((accept) => /ndjson/.test(accept)) ? true : undefined,
    );
  });

  it('a stream whose first line came late, though nothing else did, stops the streams too', async (t) => {
    // The proxy holds the head and the lines: the empty first line comes when the hold ends.
    const holdMs = LATE_MS + 500;
    const { hub, base: hubBase } = await serveHub(t, holdMs);
    const proxy = await bufferingProxy(t, hubBase);
    const group = new TabGroup(proxy.base, localLocks(), { minBackoffMs: 10, maxBackoffMs: 50, streamRetryMs: 200 });
    t.after(() => group.close());
    await joinEcho(hub, group, 'tab-8', holdMs);
    await waitForValue(() => (proxy.accepts.length >= 2 ? true : undefined), holdMs * 2);
    assert.match(proxy.accepts[0] ?? '', /ndjson/);
    assert.doesNotMatch(proxy.accepts[1] ?? '', /ndjson/);
  });

  it('keeps streaming when the poll itself was slow to get to the hub (a slow upload, a proxy holding it whole)', async (t) => {
    const holdMs = 7_000;
    const { hub, base: hubBase } = await serveHub(t, holdMs);
    const accepts: string[] = [];
    // Each poll (not the answer posts) reaches the hub LATE_MS + 300 ms after it was sent.
    const base = await proxy(
      t,
      hubBase,
      (response, res) => relayAsItComes(response, res),
      pollsInto(accepts),
      async (body) => {
        if (!body.includes('"hold":false')) await new Promise((resolve) => setTimeout(resolve, LATE_MS + 300));
      },
    );
    const group = groupOn(t, base);
    const member = (instance: string) => joinEcho(hub, group, instance, holdMs);
    const first = await member('tab-10');
    assert.equal(await (await hub.fetch(first, '/one', { timeoutMs: 10_000 })).text(), 'answered /one');
    // A second member makes the group poll again: that poll still asks for a stream.
    await joinAndCheckStreams(hub, group, 'tab-11', holdMs, accepts, [true, true]);
  });

  it('keeps streaming when a large request comes slowly (a slow link), and one behind it: a line is timed by its first byte', async (t) => {
    const holdMs = 8_000;
    const { hub, base: hubBase } = await serveHub(t, holdMs);
    const accepts: string[] = [];
    // Pieces of 16 KB of any larger chunk go on 250 ms apart: the 300 KB line takes about 5 s.
    const base = await proxy(
      t,
      hubBase,
      (response, res) =>
        relayAsItComes(response, res, async (chunk) => {
          if (chunk.length <= 1_024) res.write(chunk);
          else {
            for (let at = 0; at < chunk.length; at += 16_384) {
              await new Promise((resolve) => setTimeout(resolve, 250));
              res.write(chunk.subarray(at, at + 16_384));
            }
          }
        }),
      pollsInto(accepts),
    );
    const group = groupOn(t, base);
    const first = await joinEcho(hub, group, 'tab-14', holdMs);
    const sentAt = Date.now();
    const big = hub.fetch(first, '/big', { method: 'POST', body: 'x'.repeat(300_000), timeoutMs: 15_000 });
    // A small request written while the large one is on its way waits behind it on the link.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const small = await hub.fetch(first, '/small', { timeoutMs: 15_000 });
    assert.equal(await (await big).text(), 'answered /big');
    assert.equal(await small.text(), 'answered /small');
    assert.ok(Date.now() - sentAt > LATE_MS, 'the line took longer than LATE_MS to come whole');
    // A second member makes the group poll again: that poll still asks for a stream.
    await joinAndCheckStreams(hub, group, 'tab-15', holdMs, accepts, [true, true]);
  });

  for (const [where, passHello] of [
    ['before its first line', false],
    ['at the end of a line', true],
  ] as const) {
    it(`asks again for what a stream carried when it was cut ${where} and the cut looked like its end`, async (t) => {
      const holdMs = 5_000;
      const { hub, base: hubBase } = await serveHub(t, holdMs);
      let cut = false;
      // The first stream to carry a request ends cleanly before that line (the hello passed or not).
      const base = await proxy(
        t,
        hubBase,
        async (response, res) => {
          if (cut || !response.headers.get('content-type')?.includes('ndjson')) return relayAsItComes(response, res);
          res.writeHead(response.status, passedHeaders(response));
          res.flushHeaders();
          const reader = (response.body as ReadableStream<Uint8Array>).getReader();
          const decoder = new TextDecoder();
          let text = '';
          for (let read = await reader.read(); !read.done; read = await reader.read()) {
            text += decoder.decode(read.value, { stream: true });
            for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n')) {
              const line = text.slice(0, end + 1);
              text = text.slice(end + 1);
              if (line.startsWith('{"requests":[]')) {
                if (passHello) res.write(line);
                continue;
              }
              cut = true;
              res.end();
              await reader.cancel();
              return;
            }
          }
          res.end();
        },
        () => {},
      );
      const group = groupOn(t, base);
      const id = await joinEcho(hub, group, 'tab-20', holdMs);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const answer = await hub.fetch(id, '/cut', { timeoutMs: 3_000 });
      assert.equal(await answer.text(), 'answered /cut');
      assert.equal(cut, true, 'the stream was cut');
    });
  }

  for (const [what, passHello] of [
    ['ends every stream before its first line', false],
    ['ends every stream right after its first line', true],
  ] as const) {
    it(`stops asking for streams, with no loop of polls, behind a proxy that ${what}`, async (t) => {
      const holdMs = 5_000;
      const { hub, base: hubBase } = await serveHub(t, holdMs);
      const accepts: string[] = [];
      const base = await proxy(
        t,
        hubBase,
        async (response, res) => {
          if (!response.headers.get('content-type')?.includes('ndjson')) return relayAsItComes(response, res);
          res.writeHead(response.status, passedHeaders(response));
          res.flushHeaders();
          const reader = (response.body as ReadableStream<Uint8Array>).getReader();
          const first = await reader.read();
          if (passHello && !first.done) res.write(first.value);
          res.end();
          await reader.cancel();
        },
        pollsInto(accepts),
      );
      const group = groupOn(t, base);
      const id = await joinEcho(hub, group, 'tab-22', holdMs);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      assert.ok(accepts.length <= 3, `${accepts.length} polls in a second`);
      assert.equal(await (await hub.fetch(id, '/through', { timeoutMs: 3_000 })).text(), 'answered /through');
      assert.match(accepts[0] ?? '', /ndjson/);
      assert.doesNotMatch(accepts.at(-1) ?? '', /ndjson/, 'the last poll asked for no stream');
    });
  }

  it('sends answers on posts again once a poll took the stream over (a member joined)', async (t) => {
    const holdMs = 10_000;
    const { hub, base: hubBase } = await serveHub(t, holdMs);
    const accepts: string[] = [];
    const base = await proxy(t, hubBase, (response, res) => relayAsItComes(response, res), pollsInto(accepts));
    const group = groupOn(t, base);
    const first = await joinEcho(hub, group, 'tab-23', holdMs);
    await waitForValue(() => (accepts.length > 0 ? true : undefined));
    await joinEcho(hub, group, 'tab-24', holdMs);
    await waitForValue(() => (accepts.length > 1 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const polls = accepts.length;
    for (let i = 0; i < 5; i++) {
      assert.equal(await (await hub.fetch(first, `/after-${i}`, { timeoutMs: 3_000 })).text(), `answered /after-${i}`);
    }
    assert.ok(accepts.length - polls <= 1, `${accepts.length - polls} polls for 5 answers`);
  });

  it('stops asking for streams when a proxy passes the stream on in bursts, the head with the first', async (t) => {
    const holdMs = 10_000;
    const { hub, base: hubBase } = await serveHub(t, holdMs);
    const accepts: string[] = [];
    // Streamed polls: everything, the head included, goes on in bursts every 4 s.
    const base = await proxy(
      t,
      hubBase,
      async (response, res) => {
        if (!response.headers.get('content-type')?.includes('ndjson')) {
          res.writeHead(response.status, passedHeaders(response));
          res.end(Buffer.from(await response.arrayBuffer()));
          return;
        }
        const held: Uint8Array[] = [];
        const burst = setInterval(() => {
          if (!res.headersSent) res.writeHead(response.status, passedHeaders(response));
          for (const chunk of held.splice(0)) res.write(chunk);
        }, 4_000);
        const reader = (response.body as ReadableStream<Uint8Array>).getReader();
        try {
          for (let read = await reader.read(); !read.done; read = await reader.read()) held.push(read.value);
        } catch {}
        clearInterval(burst);
        if (!res.headersSent) res.writeHead(response.status, passedHeaders(response));
        res.end(Buffer.concat(held));
      },
      pollsInto(accepts),
    );
    const group = groupOn(t, base);
    const member = (instance: string) => joinEcho(hub, group, instance, holdMs);
    const id = await member('tab-12');
    await waitForValue(() => (accepts.length > 0 ? true : undefined));
    // Requests from 0.2 to 3.7 s into the stream all come out with its head at 4 s.
    const calls: Promise<Response>[] = [];
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let i = 0; i < 8; i++) {
      calls.push(hub.fetch(id, `/burst-${i}`, { timeoutMs: 20_000 }));
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await Promise.all(calls);
    // A second member makes the group poll again: that poll asks for no stream.
    await member('tab-13');
    await waitForValue(() => (accepts.length >= 2 ? true : undefined));
    assert.match(accepts[0] ?? '', /ndjson/);
    assert.doesNotMatch(accepts[1] ?? '', /ndjson/);
  });

  it('stops asking for streams on a late first request from a hub that writes no empty first line', async (t) => {
    const holdMs = 10_000;
    const { hub, base: hubBase } = await serveHub(t, holdMs);
    const accepts: string[] = [];
    // An older hub behind a proxy that buffers: the head at once, without Ptth-Hello and without
    // the empty first line; the lines when the stream ends.
    const base = await proxy(
      t,
      hubBase,
      async (response, res) => {
        const streamed = response.headers.get('content-type')?.includes('ndjson');
        const headers = passedHeaders(response);
        delete headers['ptth-hello'];
        res.writeHead(response.status, headers);
        res.flushHeaders();
        const text = await response.text();
        res.end(streamed ? text.slice(text.indexOf('\n') + 1) : text);
      },
      pollsInto(accepts),
    );
    const group = groupOn(t, base);
    const member = (instance: string) => joinEcho(hub, group, instance, holdMs);
    const id = await member('tab-14');
    await waitForValue(() => (accepts.length > 0 ? true : undefined));
    // The first request comes late in the hold, and one past the hold ends the stream: the first
    // reaches the page 4 s after the hub wrote it (more than LATE_MS, less than half a hold).
    await new Promise((resolve) => setTimeout(resolve, 6_500));
    const late = hub.fetch(id, '/late', { timeoutMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const last = hub.fetch(id, '/last', { timeoutMs: 20_000 });
    assert.equal(await (await late).text(), 'answered /late');
    assert.equal(await (await last).text(), 'answered /last');
    await member('tab-15');
    await waitForValue(() => (accepts.length >= 2 ? true : undefined));
    assert.match(accepts[0] ?? '', /ndjson/);
    assert.doesNotMatch(accepts.at(-1) ?? '', /ndjson/);
  });

  it('does not send again the answers a streamed poll carried when its first line is held back', async (t) => {
    const holdMs = 8_000;
    const { hub, base: hubBase } = await serveHub(t, holdMs);
    const proxy = await bufferingProxy(t, hubBase, 'at once');
    const group = new TabGroup(proxy.base, localLocks(), { minBackoffMs: 10, maxBackoffMs: 50, streamRetryMs: 300 });
    t.after(() => group.close());
    const id = await joinEcho(hub, group, 'tab-16', holdMs);
    await waitForValue(() => (proxy.accepts.some((accept) => !/ndjson/.test(accept)) ? true : undefined), 5_000);
    // Streams are due again when the answer goes: it rides on a streamed poll whose first line is held.
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(await (await hub.fetch(id, '/a', { timeoutMs: 5_000 })).text(), 'answered /a');
    const polls = proxy.accepts.length;
    await waitForValue(() => (proxy.accepts.length >= polls + 1 ? true : undefined), 6_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(hub.stats().droppedResponses, 0, 'an answer went twice');
  });

  it('reports a streamed poll whose head never came as a failure, after its deadline', async (t) => {
    const holdMs = 1_000;
    const pollMarginMs = 300;
    const { hub, base: hubBase } = await serveHub(t, holdMs);
    // Streamed polls go nowhere (their connections stay open); the rest passes.
    const base = await proxy(
      t,
      hubBase,
      async (response, res) => {
        if (response.headers.get('content-type')?.includes('ndjson')) return;
        res.writeHead(response.status, passedHeaders(response));
        res.end(Buffer.from(await response.arrayBuffer()));
      },
      () => {},
    );
    const group = new TabGroup(base, localLocks(), { minBackoffMs: 10, maxBackoffMs: 50, pollMarginMs });
    t.after(() => group.close());
    const failures: string[] = [];
    const id = await joinEcho(hub, group, 'tab-9', holdMs, (member) => {
      member.failed = (reason: string) => failures.push(reason);
    });
    assert.equal(await (await hub.fetch(id, '/after', { timeoutMs: 10_000 })).text(), 'answered /after');
    assert.equal(failures.length, 1, failures.join('; '));
  });

  it('gets a request again after its streamed poll died on the way, and stops asking for streams', async (t) => {
    const holdMs = 2_000;
    const pollMarginMs = 300;
    const { hub, base: hubBase } = await serveHub(t, holdMs);
    const proxy = await stallingProxy(t, hubBase);
    const group = new TabGroup(proxy.base, localLocks(), { minBackoffMs: 10, maxBackoffMs: 50, pollMarginMs });
    t.after(() => group.close());
    const answered: string[] = [];
    const sessionId = await joinEcho(hub, group, 'tab-4', holdMs, (member) => {
      const receive = member.receive;
      member.receive = (id, requests) => {
        answered.push(...requests.map((request) => request.path));
        receive(id, requests);
      };
    });
    const call = async (path: string, timeoutMs = 5_000) => (await hub.fetch(sessionId, path, { timeoutMs })).text();
    // Until a request comes on a stream that was already open (the first poll asks for all again).
    for (let i = 0, polls = -1; polls !== proxy.polls.length; i++) {
      polls = proxy.polls.length;
      assert.equal(await call(`/warm-${i}`), `answered /warm-${i}`);
    }
    assert.match(proxy.polls.at(-1) ?? '', /application\/x-ndjson/);
    proxy.cut();
    const started = performance.now();
    assert.equal(await call('/lost', 10_000), 'answered /lost');
    // The stream counts as dead a hold and the margin after its last line; a poll then asks again.
    const took = performance.now() - started;
    assert.ok(took >= pollMarginMs && took < holdMs + pollMarginMs + 2_000, `answered after ${Math.round(took)} ms`);
    assert.deepEqual(
      answered.filter((path) => path === '/lost'),
      ['/lost'],
    );
    assert.doesNotMatch(proxy.polls.at(-1) ?? '', /ndjson/);
  });

  it('polls for the members that have an id while another connects again (no id yet)', async (t) => {
    const { hub, base } = await serveHub(t);
    const session = await hub.register({ url: 'http://page.test/', instance: 'tab-5' });
    const group = groupOn(t, base);
    const unlimited = Number.POSITIVE_INFINITY;
    const connecting = () => ({
      id: '',
      secret: '',
      instance: 'tab-6',
      ack: 0,
      holdMs: 5_000,
      maxBodyBytes: unlimited,
    });
    group.join(echoMember(group, connecting));
    const card = () => ({
      id: session.id,
      secret: session.secret,
      instance: 'tab-5',
      ack: 0,
      holdMs: 5_000,
      maxBodyBytes: unlimited,
    });
    group.join(echoMember(group, card));
    // A poll listing the member without an id would be refused whole (400), for both.
    assert.equal(await (await hub.fetch(session.id, '/served', { timeoutMs: 3_000 })).text(), 'answered /served');
  });

  it(`seats ${MAX_SHARED_CLIENTS} members, the most a shared poll carries, and tells the next to poll alone`, async (t) => {
    const { hub, base } = await serveHub(t);
    const group = groupOn(t, base);
    const sessions = await Promise.all(
      Array.from({ length: MAX_SHARED_CLIENTS + 1 }, (_, i) =>
        hub.register({ url: 'http://page.test/', instance: `tab-${i}` }),
      ),
    );
    const unlimited = Number.POSITIVE_INFINITY;
    let told = 0;
    sessions.forEach((session, i) => {
      const card = () => ({
        id: session.id,
        secret: session.secret,
        instance: `tab-${i}`,
        ack: 0,
        holdMs: 5_000,
        maxBodyBytes: unlimited,
      });
      const member = echoMember(group, card);
      if (i === MAX_SHARED_CLIENTS) member.full = () => told++;
      group.join(member);
    });
    // The hub would refuse a poll of 65 whole (400): the first 64 are served.
    for (const session of [sessions[0], sessions[MAX_SHARED_CLIENTS - 1]]) {
      const id = (session as (typeof sessions)[number]).id;
      assert.equal(await (await hub.fetch(id, '/seated', { timeoutMs: 3_000 })).text(), 'answered /seated');
    }
    assert.equal(told, 1);
  });

  it('a group of one connection takes the answers handed to it at once, before any poll', async (t) => {
    const { hub, base } = await serveHub(t);
    const group = soloGroup(base, { minBackoffMs: 10, maxBackoffMs: 50 });
    t.after(() => group.close());
    let member: GroupMember | undefined;
    await joinEcho(hub, group, 'tab-7', 5_000, (joining) => {
      member = joining;
    });
    // Answers a member took back from a full shared poll: they must reach the hub, not vanish.
    const late = { id: 'gone.1', status: 200, statusText: '', headers: [], body: new TextEncoder().encode('late') };
    group.answer(member as GroupMember, [late]);
    // The hub never sent 'gone.1': it counts the answer as one it was never owed.
    await waitForValue(() => (hub.stats().rejectedResponses > 0 ? true : undefined));
  });

  it("sends the leading tab's own answers on a poll at once, with no message and no macrotask", async (t) => {
    const { hub, base } = await serveHub(t);
    const session = await hub.register({ url: 'http://page.test/', instance: 'tab-1' });
    const group = groupOn(t, base);
    const realFetch = globalThis.fetch;
    let fetches = 0;
    globalThis.fetch = (...args: Parameters<typeof fetch>) => {
      fetches++;
      return realFetch(...args);
    };
    t.after(() => {
      globalThis.fetch = realFetch;
    });
    const sentAtOnce: boolean[] = [];
    const member: GroupMember = {
      card: () => ({
        id: session.id,
        secret: session.secret,
        instance: 'tab-1',
        ack: 0,
        holdMs: 5_000,
        maxBodyBytes: Number.POSITIVE_INFINITY,
      }),
      receive: (_id, requests: ReverseRequest[]) => {
        const answers: ReverseResponse[] = requests.map((request) => ({
          id: request.id,
          status: 200,
          statusText: '',
          headers: [['content-type', 'text/plain']],
          body: new TextEncoder().encode(`answered ${request.path}`),
        }));
        const before = fetches;
        group.answer(member, answers);
        sentAtOnce.push(fetches === before + 1);
      },
      refused: () => {},
      failed: () => {},
      recovered: () => {},
      full: () => {},
    };
    group.join(member);
    for (const path of ['/one', '/two']) {
      const response = await hub.fetch(session.id, new Request(REVERSE_ORIGIN + path));
      assert.equal(await response.text(), `answered ${path}`);
    }
    assert.deepEqual(sentAtOnce, [true, true]);
    assert.equal(group.leader, true);
  });

  it('a new leader gets again the requests whose answers died with the old one, though they were acknowledged', async (t) => {
    const { hub, base } = await serveHub(t);
    const session = await hub.register({ url: 'http://page.test/', instance: 'tab-2' });
    // The old leader: its poll took the request and handed it to the tab, and its next poll
    // acknowledged it; then it died, with the tab's answer in its outbox.
    const taken = new Promise<ReverseRequest[]>((resolve) => {
      void hub.attachPoll(session, {
        deliver: (batch) => {
          resolve(batch);
          return true;
        },
      });
    });
    const call = hub.fetch(session.id, '/asked-before', { timeoutMs: 3_000 });
    const [request] = await taken;
    assert.ok(request?.seq);
    void hub.attachPoll(session, { deliver: () => true }, { ack: request.seq });
    // The tab remembers its answer and acknowledges as much; a new leader polls for it.
    const group = groupOn(t, base);
    const member: GroupMember = {
      card: () => ({
        id: session.id,
        secret: session.secret,
        instance: 'tab-2',
        ack: request.seq ?? 0,
        holdMs: 5_000,
        maxBodyBytes: Number.POSITIVE_INFINITY,
      }),
      receive: (_id, requests: ReverseRequest[]) => {
        // Answered from memory, as the tab's connection does for a request it already ran.
        const answers: ReverseResponse[] = requests.map((again) => ({
          id: again.id,
          status: 200,
          statusText: '',
          headers: [],
          body: new TextEncoder().encode(`remembered ${again.path}`),
        }));
        group.answer(member, answers);
      },
      refused: () => {},
      failed: () => {},
      recovered: () => {},
      full: () => {},
    };
    group.join(member);
    const response = await call;
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'remembered /asked-before');
  });
});
