import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SharedPollReply } from '../protocol/long-poll-wire.ts';
import { firstByteAt, lines } from './hub-exchange.ts';

/** A stream of the given chunks of bytes. */
function chunks(...parts: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      controller.close();
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<unknown[]> {
  const values: unknown[] = [];
  for await (const value of lines(stream)) values.push(value);
  return values;
}

describe('lines (a streamed poll)', () => {
  it('yields each line whole, wherever the chunks split it, even inside a UTF-8 character', async () => {
    const text = `${JSON.stringify({ requests: [], refused: [], at: 1 })}\n\n${JSON.stringify({ note: 'é€😀' })}\n`;
    const bytes = new TextEncoder().encode(text);
    // Every split point, into three chunks around it.
    for (let cut = 1; cut < bytes.length - 1; cut++) {
      const values = await collect(chunks(bytes.slice(0, cut), bytes.slice(cut, cut + 1), bytes.slice(cut + 1)));
      assert.deepEqual(values, [{ requests: [], refused: [], at: 1 }, { note: 'é€😀' }], `cut at ${cut}`);
    }
  });

  it('throws when the stream ends inside a line (a cut connection), after the whole lines before it', async () => {
    const seen: unknown[] = [];
    const stream = chunks(new TextEncoder().encode('{"a":1}\n{"b":'));
    await assert.rejects(async () => {
      for await (const value of lines(stream)) seen.push(value);
    }, /ended inside a line/);
    assert.deepEqual(seen, [{ a: 1 }]);
  });

  it('notes when the first byte of each line came, not its last', async () => {
    const encode = (text: string) => new TextEncoder().encode(text);
    const held: { controller?: ReadableStreamDefaultController<Uint8Array> } = {};
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        held.controller = c;
      },
    });
    const pause = () => new Promise((resolve) => setTimeout(resolve, 200));
    const seen: { reply: SharedPollReply; at: number | undefined }[] = [];
    const reading = (async () => {
      for await (const reply of lines(stream)) seen.push({ reply, at: firstByteAt(reply) });
    })();
    const start = performance.now();
    const send = (text: string) => held.controller?.enqueue(encode(text));
    send('{"requests":[],"ref');
    await pause();
    send('used":[],"at":1}\n{"requests":[],');
    await pause();
    send('"refused":[],"at":2}\n');
    held.controller?.close();
    await reading;
    assert.equal(seen.length, 2);
    const [first, second] = seen.map(({ at }) => (at ?? Number.NaN) - start);
    assert.ok((first as number) < 100, `the first line's first byte at ${first} ms`);
    assert.ok((second as number) >= 150 && (second as number) < 300, `the second's at ${second} ms`);
    assert.equal(firstByteAt({ requests: [], refused: [] }), undefined);
  });

  it('lets the stream go when the reader stops early', async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"a":1}\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const _ of lines(stream)) break;
    assert.equal(cancelled, true);
  });
});
