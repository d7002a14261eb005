/**
 * Test support: a TCP proxy in front of a hub that can cut every connection on demand (a
 * socket killed mid-request) or strip `Upgrade` from requests, as some HTTP proxies do. Only
 * tests import this file.
 */
import { connect, createServer, type Socket } from 'node:net';

/** A running proxy. */
export interface TestProxy {
  /** Base URL of the proxy, e.g. `http://127.0.0.1:40123/`. */
  url: string;
  /** Connections through it now. */
  readonly open: number;
  /** Destroys every connection through it now. */
  cut(): void;
  close(): Promise<void>;
}

/** Removes `Upgrade` and its `Connection` token from request heads, as a proxy that does not know it would. */
function stripUpgrade(chunk: Buffer): Buffer {
  const text = chunk
    .toString('latin1')
    .replace(/\r\nUpgrade:[^\r]*/gi, '')
    .replace(/\r\nConnection: *Upgrade\r\n/gi, '\r\nConnection: keep-alive\r\n');
  return Buffer.from(text, 'latin1');
}

/** Starts a proxy to `target` (a base URL); `strip` removes `Upgrade` from what clients send. */
export async function startTestProxy(target: string, { strip = false } = {}): Promise<TestProxy> {
  const { hostname, port } = new URL(target);
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => upstream.write(strip ? stripUpgrade(chunk) : chunk));
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    for (const socket of pair) {
      socket.on('close', end);
      socket.on('error', end);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  const cut = () => {
    for (const [client, upstream] of Array.from(pairs)) {
      client.destroy();
      upstream.destroy();
    }
  };
  return {
    url: `http://127.0.0.1:${address.port}/`,
    get open() {
      return pairs.size;
    },
    cut,
    close() {
      cut();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
