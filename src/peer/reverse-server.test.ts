import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memoryPipe } from './memory-pipe.ts';
import { ReverseServer } from './reverse-server.ts';

/** Writes raw requests into the server over an in-memory pipe; resolves with what it answered. */
async function exchange(server: ReverseServer, raw: string, answers: number): Promise<string> {
  const [near, far] = memoryPipe();
  server.take(far);
  let received = '';
  near.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
  });
  near.write(raw);
  const deadline = Date.now() + 3_000;
  while ((received.match(/HTTP\/1\.1 \d{3} /g) ?? []).length < answers) {
    if (Date.now() > deadline) throw new Error(`timed out; received ${JSON.stringify(received)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  near.destroy();
  return received;
}

const request = (seq: number | null, id: string, path = '/count') =>
  `POST ${path} HTTP/1.1\r\nPtth-Id: ${id}\r\n${seq === null ? '' : `Ptth-Seq: ${seq}\r\n`}Host: \r\nContent-Length: 1\r\n\r\nx`;

describe('the peer’s HTTP server', () => {
  it('runs a request delivered twice (same Ptth-Seq) once, and answers both times alike', async () => {
    let runs = 0;
    const server = new ReverseServer({ handler: () => new Response(`run ${++runs}`) });
    const first = await exchange(server, request(1, 'a'), 1);
    const again = await exchange(server, request(1, 'a') + request(2, 'b'), 2);
    assert.equal(runs, 2, 'request a once, request b once');
    assert.match(first, /\r\n\r\nrun 1$/);
    assert.match(again, /\r\n\r\nrun 1HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nrun 2$/);
  });

  it('a redelivery that arrives while the first run is still going is answered when it ends', async () => {
    let runs = 0;
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = new ReverseServer({
      handler: async () => {
        runs++;
        await gate;
        return new Response('slow answer');
      },
    });
    const [near, far] = memoryPipe();
    server.take(far);
    near.write(request(1, 'slow'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    near.destroy();
    const redelivered = exchange(server, request(1, 'slow'), 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    assert.match(await redelivered, /\r\n\r\nslow answer$/);
    assert.equal(runs, 1);
  });

  it('runs requests without Ptth-Seq every time (they come from no hub)', async () => {
    let runs = 0;
    const server = new ReverseServer({ listener: (_req, res) => res.end(`run ${++runs}`) });
    await exchange(server, request(null, 'x') + request(null, 'x'), 2);
    assert.equal(runs, 2);
  });

  it('a new session forgets earlier arrivals: its sequence numbers start again', async () => {
    let runs = 0;
    const server = new ReverseServer({ handler: () => new Response(`run ${++runs}`) });
    await exchange(server, request(1, 'a'), 1);
    server.reset(0);
    assert.match(await exchange(server, request(1, 'other'), 1), /run 2$/);
  });
});
