import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { REVERSE_ORIGIN } from '../protocol/fetch-convert.ts';
import { seededRandom } from '../protocol/test-support.ts';
import { devApp } from './dev-server.ts';
import { Hub } from './hub.ts';
import { toNodeListener } from './node-adapter.ts';

/** A seeded generator and a picker, so a failure can be replayed. */
function generator(seed: number) {
  const next = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return { next, pick };
}

const SEED = Number(process.env.PTTH_FUZZ_SEED ?? 20261127);
const ROUNDS = 600;

describe('fuzzing the endpoints', () => {
  it(`${ROUNDS} generated requests (seed ${SEED}): never a 5xx, the server stays up, and a real client still works`, async (t) => {
    const hub = new Hub({ holdMs: 30, expireMs: 60_000, maxBodyBytes: 4096, requestTimeoutMs: 100 });
    const server = createServer(toNodeListener(devApp(hub), 64 * 1024));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => {
      hub.close();
      server.closeAllConnections();
      server.close();
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const victim = await hub.register({ url: 'http://victim.test/' });
    const { next, pick } = generator(SEED);
    const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
    const validResponse = { id: 'x', status: 200, headers: [['a', 'b']], body: 'ok' };
    const bodies: Array<() => BodyInit | null> = [
      () => null,
      () => '',
      () => randomBytes(Math.floor(next() * 64)),
      () => '{"responses": [',
      () => '{"responses": {}}',
      () => JSON.stringify({ responses: [validResponse], ack: pick([-1, 1.5, 'x', 1e300, null, 3]) }),
      () => JSON.stringify({ responses: [{ ...validResponse, status: pick([0, 99, 600, '200', null]) }] }),
      () => JSON.stringify({ responses: [{ ...validResponse, headers: pick(['x', [['a']], [[1, 2]], null]) }] }),
      () => JSON.stringify({ responses: [{ ...validResponse, body64: '%%%' }] }),
      () =>
        JSON.stringify({
          url: pick([1, null, 'x'.repeat(100), {}]),
          id: pick(['short', 'A'.repeat(22), 5]),
          secret: pick(['s', 'B'.repeat(22)]),
        }),
      () => 'HTTP/1.1 200 OK\r\nPtth-Id: x\r\nContent-Length: 99\r\n\r\nshort',
      () => 'HTTP/1.1 abc\r\n\r\n',
      () => 'x'.repeat(5000 + Math.floor(next() * 100_000)),
      () => '<diff><add sel="."><li></diff>',
    ];
    const paths = [
      () => '/ptth/connect',
      () => `/ptth/poll/${victim.id}`,
      () => `/ptth/poll/${pick(['nobody', '', '..', '%zz', 'A'.repeat(22)])}`,
      () => '/ptth/clients',
      () => `/ptth/clients/${victim.id}`,
      () =>
        `/ptth/clients/${pick([victim.id, 'ghost'])}/${pick(['html', '//li[', 'count(//li)', '%zz', '..', '@', ''])}`,
      () => pick(['/', '/demo/', '/demo/../package.json', '/ptth/', '/ptth/client.js', '/nothing', '//double']),
    ];
    const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'BREW'];
    const headerSets: Array<() => Record<string, string>> = [
      () => ({}),
      () => ({
        'content-type': pick([
          'application/json',
          'message/http',
          'text/html',
          'application/xml-patch+xml',
          'x/y;;',
          '',
        ]),
      }),
      () => ({ 'ptth-secret': pick([victim.secret, 'wrong', '']), 'content-type': 'application/json' }),
      () => ({
        'ptth-secret': victim.secret,
        'content-type': 'message/http',
        'ptth-ack': pick(['-1', 'x', '7', '']),
        'ptth-retry': '1',
      }),
      () => ({
        accept: pick(['message/http', 'application/json;q=x', '*/*']),
        'if-match': pick(['*', '"x"', 'garbage']),
      }),
    ];

    const statuses = new Map<number, number>();
    for (let round = 0; round < ROUNDS; round++) {
      const method = pick(methods);
      const path = pick(paths)();
      const makeBody = pick(bodies);
      const body = method === 'GET' || method === 'HEAD' ? null : makeBody();
      const headers = pick(headerSets)();
      let status: number;
      try {
        const response = await fetch(base + path, { method, headers, body, signal: AbortSignal.timeout(5_000) });
        await response.arrayBuffer();
        status = response.status;
      } catch (error) {
        // A request the client library itself refuses (e.g. a bad Content-Length) never left.
        if (error instanceof TypeError && !String(error.cause ?? '').includes('ECONN')) continue;
        throw new Error(`round ${round}: ${method} ${path} failed: ${String(error)} ${String((error as Error).cause)}`);
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      // Through the gateway, a page that does not answer in time is a 504: a verdict, not a failure.
      const forwarded = path.startsWith(`/ptth/clients/${victim.id}/`) && (status === 503 || status === 504);
      assert.ok(
        status < 500 || forwarded,
        `round ${round}: ${method} ${path} ${JSON.stringify(headers)} answered ${status}`,
      );
    }
    assert.ok((statuses.get(400) ?? 0) > 20, `a good share of 400s: ${JSON.stringify([...statuses])}`);

    // The server is alive and the victim's state is intact: a poll gets a real request, its answer arrives.
    const call = hub.fetch(victim.id, new Request(`${REVERSE_ORIGIN}/still/works`));
    const poll = await fetch(`${base}/ptth/poll/${victim.id}`, {
      method: 'POST',
      headers: { 'ptth-secret': victim.secret, 'content-type': 'application/json' },
      body: JSON.stringify({ responses: [] }),
    });
    const { requests } = (await poll.json()) as { requests: Array<{ id: string; path: string }> };
    const request = requests.find((candidate) => candidate.path === '/still/works');
    assert.ok(request, JSON.stringify(requests));
    const upload = fetch(`${base}/ptth/poll/${victim.id}`, {
      method: 'POST',
      headers: { 'ptth-secret': victim.secret, 'content-type': 'application/json' },
      body: JSON.stringify({ responses: [{ id: request.id, status: 200, headers: [], body: 'alive' }] }),
    });
    assert.equal(await (await call).text(), 'alive');
    assert.equal((await upload).status, 200);
  });
});
