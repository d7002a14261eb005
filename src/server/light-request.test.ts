import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createServer, request as httpRequest, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { LightHeaders, LightRequest, REMOTE_ADDRESS_HEADER, takesLight } from './light-request.ts';
import { toNodeListener } from './node-adapter.ts';
import { Exchange, NodeRequest } from './node-request.ts';

/** The `Headers` the adapter made before light requests, from the same raw fields. */
function undiciHeaders(raw: string[], address: string): Headers {
  const headers = new Headers();
  for (let i = 0; i < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() !== REMOTE_ADDRESS_HEADER)
      headers.append(raw[i] as string, raw[i + 1] as string);
  }
  headers.append(REMOTE_ADDRESS_HEADER, address);
  return headers;
}

const fieldCases: Array<[string, string[]]> = [
  ['no fields', []],
  ['one field', ['Host', 'localhost:8080']],
  ['names in any case, repeated', ['X-A', '1', 'x-a', '2', 'X-a', '3', 'Accept', '*/*']],
  [
    'fields node keeps only the first of',
    ['Content-Type', 'a/b', 'Content-Type', 'c/d', 'User-Agent', 'u1', 'User-Agent', 'u2'],
  ],
  ['cookies and set-cookies', ['Cookie', 'a=1', 'Cookie', 'b=2', 'Set-Cookie', 's=1', 'Set-Cookie', 's=2']],
  ['an empty value', ['X-Empty', '', 'Z', 'z']],
  ['a remote address sent by the client', ['Ptth-Remote-Address', '6.6.6.6', 'Host', 'h']],
  ['Latin-1 text', ['X-Name', 'caf\u00e9']],
];

describe('LightHeaders', () => {
  for (const [what, raw] of fieldCases) {
    it(`reads ${what} as Headers does`, () => {
      const light = new LightHeaders(raw, '127.0.0.1');
      const real = undiciHeaders(raw, '127.0.0.1');
      const names = new Set([...raw.filter((_, i) => i % 2 === 0), REMOTE_ADDRESS_HEADER, 'x-missing']);
      for (const name of names) {
        for (const asked of [name, name.toLowerCase(), name.toUpperCase()]) {
          assert.equal(light.get(asked), real.get(asked), asked);
          assert.equal(light.has(asked), real.has(asked), asked);
        }
      }
      const seen: [string, string][] = [];
      light.forEach((value, name) => {
        seen.push([name, value]);
      });
      const expected: [string, string][] = [];
      real.forEach((value, name) => {
        expected.push([name, value]);
      });
      assert.deepEqual(seen, expected);
    });
  }
});

describe('LightRequest', () => {
  const exchange = () => new Exchange(new EventEmitter() as unknown as ServerResponse);

  it('shows its URL and method as a Request would', () => {
    const target = 'http://LOCALHOST:80/a b/"x"?q=\'1\'#f';
    const light = new LightRequest('get', target, [], '', null, exchange());
    assert.equal(light.url, new Request(target).url);
    assert.equal(light.method, 'GET');
    assert.equal(new LightRequest('PATCH', target, [], '', null, exchange()).method, 'PATCH');
  });

  it('stands for one NodeRequest, made once, with its fields, body and exchange', async () => {
    const body = new TextEncoder().encode('{"a":1}');
    const held = exchange();
    const raw = ['Content-Type', 'application/json', 'X-A', '1', 'x-a', '2', 'Ptth-Remote-Address', 'forged'];
    const light = new LightRequest('POST', 'http://localhost/p?q', raw, '10.0.0.1', body, held);
    const request = light.toRequest();
    assert.ok(request instanceof NodeRequest);
    assert.equal(light.toRequest(), request);
    assert.equal(request.exchange, held);
    assert.equal(request.url, light.url);
    assert.equal(request.method, 'POST');
    assert.deepEqual([...request.headers], [...undiciHeaders(raw, '10.0.0.1')]);
    assert.equal(await request.text(), '{"a":1}');
  });
});

describe('the adapter and light requests', () => {
  /** Serves `handler` and sends it a POST with a body; the handler's view of the request. */
  async function seenBy(handler: Parameters<typeof toNodeListener>[0]): Promise<void> {
    const server = createServer(toNodeListener(handler));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/p?q=1' }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end('hello');
      });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }

  it('gives a handler marked as light a LightRequest', async () => {
    let seen: unknown;
    await seenBy(
      takesLight(async (request) => {
        seen = request;
        return new Response('ok');
      }),
    );
    assert.ok(seen instanceof LightRequest);
    assert.equal(seen.url, `${new URL(seen.url).origin}/p?q=1`);
    assert.equal(new TextDecoder().decode(seen.bytes ?? new Uint8Array()), 'hello');
    assert.equal(seen.headers.get(REMOTE_ADDRESS_HEADER), '127.0.0.1');
  });

  it('gives any other handler a real Request, its body readable', async () => {
    let text = '';
    let seen: unknown;
    await seenBy(async (request) => {
      seen = request;
      text = await request.text();
      return new Response('ok');
    });
    assert.ok(seen instanceof Request);
    assert.ok(seen instanceof NodeRequest);
    assert.equal(text, 'hello');
    assert.equal(seen.headers.get(REMOTE_ADDRESS_HEADER), '127.0.0.1');
  });

  it("a user's handler gets a signal that follows the connection", async () => {
    let aborted: Promise<boolean> | undefined;
    const server = createServer(
      toNodeListener((request) => {
        aborted = new Promise((resolve) => request.signal.addEventListener('abort', () => resolve(true)));
        return new Promise<Response>(() => {});
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/held' });
      req.on('error', () => {});
      req.end();
      while (aborted === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
      req.destroy();
      assert.equal(await aborted, true);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
