import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeWireResponse, encodeWireResponse } from './json-codec.ts';
import type { ReverseResponse } from './message.ts';
import { bodyOver, bodySizeBound, heldText, revived, TextResponse, utf8Length } from './text-response.ts';

const SAMPLES = [
  '',
  'plain ascii',
  'é ü ß',
  '€ 中文 ✓',
  '😀 emoji 👍🏽',
  'lone \ud800 high',
  'lone \udc00 low',
  'end \ud83d',
  '\u007f\u0080\u07ff\u0800\uffff',
];

describe('TextResponse', () => {
  it('holds its body as text and makes the UTF-8 bytes once, when body is read', () => {
    const response = new TextResponse('1', 200, '', [['content-type', 'text/plain']], 'héllo');
    assert.equal(heldText(response), 'héllo');
    const bytes = response.body;
    assert.deepEqual(bytes, new TextEncoder().encode('héllo'));
    assert.equal(response.body, bytes);
  });

  it('goes on the JSON wire as its text, as the same answer with bytes would', () => {
    // Lone surrogates aside: as text they travel as themselves, as bytes as U+FFFD; both arrive as U+FFFD.
    for (const text of SAMPLES.slice(0, 5).concat(SAMPLES.slice(8))) {
      const held = new TextResponse('7', 201, 'Created', [['etag', '"x"']], text);
      const encoded = new TextEncoder().encode(text);
      const bytes: ReverseResponse = {
        id: '7',
        status: 201,
        statusText: 'Created',
        headers: [['etag', '"x"']],
        body: encoded,
      };
      assert.deepEqual(encodeWireResponse(held), encodeWireResponse(bytes), text);
    }
    for (const text of SAMPLES) {
      const held = new TextResponse('7', 200, '', [], text);
      assert.deepEqual(decodeWireResponse(JSON.parse(JSON.stringify(encodeWireResponse(held)))).body, held.body);
    }
  });

  it('comes back whole from a structured clone (a BroadcastChannel to the leading tab)', () => {
    const held = new TextResponse('3', 200, 'OK', [['content-type', 'text/html']], '<p>é</p>');
    const clone = structuredClone(held) as ReverseResponse;
    assert.equal(clone.body, undefined);
    const back = revived(clone);
    assert.equal(heldText(back), '<p>é</p>');
    assert.deepEqual(back.body, new TextEncoder().encode('<p>é</p>'));
    assert.deepEqual(
      [back.id, back.status, back.statusText, back.headers],
      ['3', 200, 'OK', [['content-type', 'text/html']]],
    );
    assert.deepEqual(encodeWireResponse(back), encodeWireResponse(held));
    const bytes: ReverseResponse = { id: '4', status: 204, statusText: '', headers: [], body: null };
    assert.equal(revived(structuredClone(bytes)).body, null);
    assert.equal(revived(held), held);
  });

  it('counts UTF-8 bytes as TextEncoder makes them, lone surrogates as U+FFFD', () => {
    for (const text of SAMPLES)
      assert.equal(utf8Length(text), new TextEncoder().encode(text).length, JSON.stringify(text));
  });

  it('tells a body over a limit without encoding text, exactly at the edge', () => {
    const text = '€'.repeat(10); // 30 bytes
    const response = new TextResponse('1', 200, '', [], text);
    assert.equal(bodyOver(response, 29), true);
    assert.equal(bodyOver(response, 30), false);
    assert.equal(bodyOver(response, 9), true);
    assert.equal(bodyOver(response, 90), false);
    const bytes: ReverseResponse = { id: '1', status: 200, statusText: '', headers: [], body: new Uint8Array(30) };
    assert.equal(bodyOver(bytes, 29), true);
    assert.equal(bodyOver(bytes, 30), false);
    assert.equal(bodyOver({ ...bytes, body: null }, 0), false);
    assert.ok(bodySizeBound(response) >= 30);
    assert.equal(bodySizeBound(bytes), 30);
  });
});
