import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Arrival, arrivalOf, FLOW_PAUSE_MS, lines } from './hub-exchange.ts';

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

  it('notes when the first byte of each line came, and how long the lines before it in its flow took', async () => {
    const encode = (text: string) => new TextEncoder().encode(text);
    const held: { controller?: ReadableStreamDefaultController<Uint8Array> } = {};
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        held.controller = c;
      },
    });
    const seen: Arrival[] = [];
    const reading = (async () => {
      for await (const reply of lines(stream))
        seen.push(arrivalOf(reply) ?? { firstByteAt: Number.NaN, behind: Number.NaN });
    })();
    const sent: number[] = [];
    const send = async (text: string, after: number) => {
      await new Promise((resolve) => setTimeout(resolve, after));
      sent.push(performance.now());
      held.controller?.enqueue(encode(text));
    };
    await send('{"requests":[],"ref', 0);
    await send('used":[],"at":1}\n{"requests":[],', 200);
    // After a pause: a new flow, in which nothing came before.
    await send('"refused":[],"at":2}\n{"requests":[],"refused":[],"at":3}\n', FLOW_PAUSE_MS + 200);
    held.controller?.close();
    await reading;
    assert.equal(seen.length, 3);
    const [one, two, three] = seen as [Arrival, Arrival, Arrival];
    const [first, second, third] = sent as [number, number, number];
    // Each line's first byte: the chunk it began in (read a few turns after it was sent, at most).
    assert.ok(one.firstByteAt >= first && one.firstByteAt < second, 'the first line began in the first chunk');
    assert.ok(two.firstByteAt >= second && two.firstByteAt < third, 'the second began in the second');
    assert.ok(three.firstByteAt >= third, 'the third began in the third');
    // The first line took from the first chunk to the second; the third came after a pause.
    assert.equal(one.behind, 0);
    assert.equal(two.behind, two.firstByteAt - one.firstByteAt);
    assert.equal(three.behind, 0);
    assert.equal(arrivalOf({ requests: [], refused: [] }), undefined);
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
