import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BufferedResponse } from './buffered-response.ts';
import { type HeldBody, takeBody } from './read-body.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);

/** Both kinds of response made the same way, so each case checks that they agree. */
function pair(body: HeldBody | null, init?: ResponseInit): [string, Response][] {
  return [
    ['Response', new Response(body, init)],
    ['BufferedResponse', new BufferedResponse(body, init)],
  ];
}

async function rejects(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, TypeError);
}

describe('BufferedResponse behaves as a Response made with the same body', () => {
  for (const body of ['héllo', utf8('héllo')]) {
    const kind = typeof body === 'string' ? 'text' : 'bytes';
    it(`reads a ${kind} body as text, bytes, an ArrayBuffer, a Blob or JSON, once`, async () => {
      for (const [name, make] of [
        ['text', (r: Response) => r.text()],
        ['arrayBuffer', async (r: Response) => new TextDecoder().decode(await r.arrayBuffer())],
        ['bytes', async (r: Response) => new TextDecoder().decode(await r.bytes())],
        ['blob', async (r: Response) => (await r.blob()).text()],
      ] as const) {
        for (const [type, response] of pair(body, { status: 201, headers: { 'x-a': '1' } })) {
          assert.equal(response.bodyUsed, false, `${type} ${name}`);
          assert.equal(await make(response), 'héllo', `${type} ${name}`);
          assert.equal(response.bodyUsed, true, `${type} ${name}`);
          await rejects(response.text());
          assert.throws(() => response.clone(), TypeError);
          assert.equal(response.status, 201);
          assert.equal(response.headers.get('x-a'), '1');
        }
      }
    });
  }

  it('gives a text body the same default Content-Type, and keeps a given one', () => {
    for (const [type, response] of pair('x'))
      assert.equal(response.headers.get('content-type'), 'text/plain;charset=UTF-8', type);
    for (const [type, response] of pair(utf8('x'))) assert.equal(response.headers.get('content-type'), null, type);
    for (const [type, response] of pair('x', { headers: { 'content-type': 'application/json' } })) {
      assert.equal(response.headers.get('content-type'), 'application/json', type);
    }
  });

  it('takes header fields given as a list as new Response does: order, repeats, status, and what it refuses', () => {
    const list: [string, string][] = [
      ['Set-Cookie', 'a=1'],
      ['vary', 'Accept'],
      ['set-cookie', 'b=2'],
      ['Vary', 'Origin'],
      ['content-type', 'text/html'],
    ];
    const ours = new BufferedResponse('x', { status: 201, statusText: 'Made', headers: list });
    const theirs = new Response('x', { status: 201, statusText: 'Made', headers: list });
    assert.deepEqual([...ours.headers], [...theirs.headers]);
    assert.deepEqual(ours.headers.getSetCookie(), ['a=1', 'b=2']);
    assert.equal(ours.status, 201);
    assert.equal(ours.statusText, 'Made');
    assert.equal(new BufferedResponse(null, { headers: [['etag', '"1"']] }).status, 200);
    assert.throws(
      () => new BufferedResponse(null, { headers: [['a', 'b', 'c']] as unknown as [string, string][] }),
      TypeError,
    );
    assert.throws(() => new BufferedResponse(null, { headers: [['ab']] as unknown as [string, string][] }), TypeError);
    // An entry that is an iterable of two but not an array, as Headers takes it.
    const odd = [new Set(['x-a', '1'])] as unknown as [string, string][];
    assert.equal(new BufferedResponse(null, { headers: odd }).headers.get('x-a'), '1');
    assert.throws(() => new BufferedResponse(null, { headers: [['bad name', 'v']] }), TypeError);
    assert.throws(() => new BufferedResponse(null, { headers: [['name', 'bad\nvalue']] }), TypeError);
    assert.throws(() => new BufferedResponse(null, { status: 99, headers: [] }), RangeError);
  });

  it('parses JSON, and rejects what is not JSON', async () => {
    for (const [, response] of pair('{"a":[1]}')) assert.deepEqual(await response.json(), { a: [1] });
    for (const [, response] of pair('{')) await assert.rejects(response.json(), SyntaxError);
  });

  it('has a null body when made without one: reading gives nothing and uses nothing', async () => {
    for (const [type, response] of pair(null, { status: 204 })) {
      assert.equal(response.body, null, type);
      assert.equal(await response.text(), '', type);
      assert.equal((await response.arrayBuffer()).byteLength, 0, type);
      assert.equal(response.bodyUsed, false, type);
      assert.equal(response.clone().status, 204, type);
    }
  });

  it('refuses a body with a null-body status', () => {
    for (const [, make] of [
      ['Response', () => new Response('x', { status: 204 })],
      ['BufferedResponse', () => new BufferedResponse('x', { status: 304 })],
    ] as const)
      assert.throws(make, TypeError);
  });

  it('streams its body when asked for it; the stream then decides what is used', async () => {
    for (const [type, response] of pair('streamed')) {
      const stream = response.body;
      assert.ok(stream instanceof ReadableStream, type);
      assert.equal(response.body, stream, `${type}: the same stream each time`);
      assert.equal(response.bodyUsed, false, type);
      const reader = stream.getReader();
      const chunks: Uint8Array[] = [];
      for (let next = await reader.read(); !next.done; next = await reader.read()) chunks.push(next.value);
      assert.equal(new TextDecoder().decode(Buffer.concat(chunks)), 'streamed', type);
      assert.equal(response.bodyUsed, true, type);
      await rejects(response.text());
    }
  });

  it('can be read through its stream by another Response (as a gateway relays a body)', async () => {
    const response = new BufferedResponse(utf8('relayed'), { status: 202 });
    const relayed = new Response(response.body, response);
    assert.equal(relayed.status, 202);
    assert.equal(await relayed.text(), 'relayed');
  });

  it('clones: both copies read the whole body, and a clone does not share bytes with the original', async () => {
    const bytes = utf8('same');
    const response = new BufferedResponse(bytes, { status: 200, statusText: 'Fine', headers: { 'x-b': '2' } });
    const copy = response.clone();
    assert.equal(copy.statusText, 'Fine');
    assert.equal(copy.headers.get('x-b'), '2');
    const buffer = new Uint8Array(await response.arrayBuffer());
    buffer[0] = 0x53;
    assert.equal(await copy.text(), 'same');
  });

  it('hands its held body to writers once, and not after it was read or streamed', async () => {
    const unread = new BufferedResponse('held');
    assert.equal(takeBody(unread), 'held');
    assert.equal(unread.bodyUsed, true);
    await rejects(unread.text());
    const read = new BufferedResponse('held');
    await read.text();
    assert.equal(takeBody(read), undefined);
    const streamed = new BufferedResponse('held');
    assert.ok(streamed.body);
    assert.equal(takeBody(streamed), undefined);
    assert.equal(takeBody(new Response('plain')), undefined);
    assert.equal(takeBody(new BufferedResponse(null)), null);
  });
});
