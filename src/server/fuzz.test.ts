import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { REVERSE_ORIGIN } from '../protocol/fetch-convert.ts';
import { seededRandom } from '../protocol/test-support.ts';
import { devApp } from './dev-server.ts';
import { Hub } from './hub.ts';
import { createNodeServer } from './node-server.ts';

/** A seeded generator and a picker, so a failure can be replayed. */
function generator(seed: number) {
  const next = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return { next, pick };
}

const SEED = Number(process.env.PTTH_FUZZ_SEED ?? 20261127);
const ROUNDS = 600;
/** The origin the fuzzed server lists (CORS); others are refused. */
const LISTED = 'http://listed.test:3000';
/** What succeeds on purpose: connects, polls, preflights, gateway reads, the demo files. */
const DOCUMENTED_SUCCESS = new Set([200, 201, 204]);

describe('fuzzing the endpoints', () => {
  it(`${ROUNDS} generated requests (seed ${SEED}): only 4xx and documented successes, CORS only for the listed origin, the server stays up, and a real client still works`, async (t) => {
    const hub = new Hub({
      holdMs: 30,
      expireMs: 60_000,
      maxBodyBytes: 4096,
      requestTimeoutMs: 100,
      // Low enough that the fuzz meets the rate limits.
      requestsPerSecond: 20,
      requestBurst: 10,
      pollsPerSecond: 20,
      pollBurst: 10,
    });
    const server = createNodeServer(devApp(hub, { allowedOrigins: [LISTED] }), {
      maxBodyBytes: 64 * 1024,
      maxHeaders: hub.options.maxHeaders,
      maxHeaderBytes: hub.options.maxHeaderBytes,
      onLimit: (error, address) => hub.limits.record(error, address),
    });
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
      // Shared polls of a tab group.
      () => JSON.stringify({ clients: pick([3, null, [{}], [{ id: 5 }], 'x']) }),
      () =>
        JSON.stringify({
          clients: [
            {
              id: pick([victim.id, 'ghost', '']),
              instance: pick([undefined, 'x', 7]),
              ack: pick([0, -1, 'x', 2]),
              retry: pick([true, 'yes']),
              responses: pick([[validResponse], {}, [{ status: 200 }], undefined]),
            },
          ],
        }),
      () => JSON.stringify({ clients: Array.from({ length: pick([2, 65]) }, () => ({ id: victim.id })) }),
    ];
    const paths = [
      () => '/ptth/connect',
      () => `/ptth/poll/${victim.id}`,
      () => `/ptth/poll/${pick(['nobody', '', '..', '%zz', 'A'.repeat(22)])}`,
      () => '/ptth/poll',
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
        'ptth-secret': pick([`${victim.id}=${victim.secret}`, `${victim.id}=wrong`, 'nosecret', `=,${victim.id}=`]),
        'content-type': 'application/json',
      }),
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
      // Pages on other origins, listed or not, and their preflights.
      () => ({
        origin: pick([LISTED, 'http://evil.example', 'null', base, 'http://listed.test:3001', '']),
        'sec-fetch-site': pick(['cross-site', 'same-site', 'same-origin', 'none']),
      }),
      () => ({
        origin: pick([LISTED, 'http://evil.example']),
        'access-control-request-method': pick(['POST', 'DELETE', 'PUT', '', 'x y']),
        'access-control-request-headers': pick(['ptth-secret, content-type', 'x-evil', '']),
        'access-control-request-private-network': pick(['true', 'false']),
      }),
      () => ({
        origin: LISTED,
        'content-type': pick(['text/plain', 'application/json', 'message/http']),
        'ptth-secret': pick([victim.secret, 'wrong']),
      }),
      // Over the header limits: too many fields, too many bytes, over Node's own head limit.
      () => Object.fromEntries(Array.from({ length: 90 + Math.floor(next() * 40) }, (_, i) => [`x-f${i}`, 'v'])),
      () => ({ 'x-big': 'b'.repeat(pick([15_000, 17_000, 40_000])) }),
    ];

    const statuses = new Map<number, number>();
    let revived = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const method = pick(methods);
      const path = pick(paths)();
      const makeBody = pick(bodies);
      const body = method === 'GET' || method === 'HEAD' ? null : makeBody();
      const headers = pick(headerSets)();
      let response: Response;
      try {
        response = await fetch(base + path, { method, headers, body, signal: AbortSignal.timeout(5_000) });
        await response.arrayBuffer();
      } catch (error) {
        // A request the client library itself refuses (e.g. a bad Content-Length) never left.
        if (error instanceof TypeError && !String(error.cause ?? '').includes('ECONN')) continue;
        throw new Error(`round ${round}: ${method} ${path} failed: ${String(error)} ${String((error as Error).cause)}`);
      }
      const status = response.status;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      // A DELETE with the right secret is the victim leaving, as it may: it comes back with its id.
      if (!hub.session(victim.id)) {
        revived++;
        await hub.register({ url: 'http://victim.test/', id: victim.id, secret: victim.secret });
      }
      const what = `round ${round}: ${method} ${path} ${JSON.stringify(headers).slice(0, 300)} answered ${status}`;
      // Through the gateway, a page that does not answer in time is a 504: a verdict, not a failure.
      const forwarded = path.startsWith(`/ptth/clients/${victim.id}/`) && (status === 503 || status === 504);
      assert.ok((status >= 400 && status < 500) || DOCUMENTED_SUCCESS.has(status) || forwarded, what);
      const allowOrigin = response.headers.get('access-control-allow-origin');
      if (allowOrigin !== null) {
        const pageEndpoint = path === '/ptth/connect' || path === '/ptth/poll' || path.startsWith('/ptth/poll/');
        assert.ok(
          allowOrigin === LISTED && headers.origin === LISTED && pageEndpoint,
          `${what}: CORS for ${allowOrigin}`,
        );
      }
    }
    // A burst, as a looping page or script would send: the rate limits answer 429, nothing breaks.
    const burst = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        fetch(
          i % 2 === 0 ? `${base}/ptth/clients/${victim.id}/html` : `${base}/ptth/poll/${victim.id}`,
          i % 2 === 0
            ? {}
            : {
                method: 'POST',
                headers: { 'ptth-secret': victim.secret, 'content-type': 'application/json' },
                body: '',
              },
        ).then(async (response) => {
          await response.arrayBuffer();
          return response.status;
        }),
      ),
    );
    for (const status of burst) {
      assert.ok([200, 429, 504].includes(status), `burst: ${burst}`);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    assert.ok((statuses.get(400) ?? 0) > 20, `a good share of 400s: ${JSON.stringify([...statuses])}`);
    assert.ok(revived < 10, `the victim left ${revived} times`);
    for (const status of [403, 429, 431]) {
      assert.ok((statuses.get(status) ?? 0) > 0, `some ${status}s: ${JSON.stringify([...statuses])}`);
    }

    // The server is alive and the victim's state is intact: a poll gets a real request, its answer arrives.
    // The fuzz may have spent the victim's polls: a real client waits as Retry-After says.
    const pollVictim = async (body: unknown): Promise<Response> => {
      for (;;) {
        const response = await fetch(`${base}/ptth/poll/${victim.id}`, {
          method: 'POST',
          headers: { 'ptth-secret': victim.secret, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        if (response.status !== 429) return response;
        const seconds = Number(response.headers.get('retry-after'));
        assert.ok(seconds >= 1, 'a 429 says when to come back');
        await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
      }
    };
    const call = hub.fetch(victim.id, new Request(`${REVERSE_ORIGIN}/still/works`), { timeoutMs: 10_000 });
    const poll = await pollVictim({ responses: [] });
    const { requests } = (await poll.json()) as { requests: Array<{ id: string; path: string }> };
    const request = requests.find((candidate) => candidate.path === '/still/works');
    assert.ok(request, JSON.stringify(requests));
    const upload = pollVictim({ responses: [{ id: request.id, status: 200, headers: [], body: 'alive' }] });
    assert.equal(await (await call).text(), 'alive');
    assert.equal((await upload).status, 200);
    const { limited } = hub.stats();
    for (const option of ['allowedOrigins', 'requestsPerSecond', 'pollsPerSecond', 'maxHeaders', 'maxHeaderBytes']) {
      assert.ok((limited[option] ?? 0) > 0, `${option} refusals are counted: ${JSON.stringify(limited)}`);
    }
  });
});
