/**
 * A TCP proxy for fault tests: it forwards to a target and cuts connections at random moments
 * (while a poll is held, in the middle of a response, while an upload is on its way).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { seededRandom } from '../src/protocol/test-support.ts';

export interface CuttingProxy {
  /** Base URL of the proxy, e.g. `http://127.0.0.1:40123/`. */
  url: string;
  /** How many connections it has cut. */
  cuts(): number;
  /** Stops cutting (so a test can finish cleanly). */
  calm(): void;
  close(): Promise<void>;
}

/** Options: the chance to cut on each data chunk, and the chance a connection is cut after a random delay. */
export async function startCuttingProxy(
  target: URL,
  { chunkCut = 0.03, timedCut = 0.2, maxDelayMs = 400, seed = 1 } = {},
): Promise<CuttingProxy> {
  // Deterministic, so a failing run can be repeated with the same seed.
  const random = seededRandom(seed);
  let cuts = 0;
  let calm = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(client);
    sockets.add(upstream);
    const cut = () => {
      if (client.destroyed && upstream.destroyed) return;
      cuts++;
      client.destroy();
      upstream.destroy();
    };
    const pipe = (from: Socket, to: Socket) => {
      from.on('data', (chunk) => {
        if (!calm && random() < chunkCut) {
          // Forward part of the chunk, then cut: a message torn in the middle.
          to.write(chunk.subarray(0, Math.floor(chunk.length * random())));
          return cut();
        }
        to.write(chunk);
      });
      from.on('end', () => to.end());
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
      from.on('error', () => to.destroy());
    };
    pipe(client, upstream);
    pipe(upstream, client);
    if (!calm && random() < timedCut) setTimeout(() => !calm && cut(), random() * maxDelayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    cuts: () => cuts,
    calm: () => {
      calm = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
