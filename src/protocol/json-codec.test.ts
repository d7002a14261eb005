import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { utf8 } from './bytes.ts';
import { decodeWireRequest, decodeWireResponse, encodeWireRequest, encodeWireResponse } from './json-codec.ts';
import type { ReverseRequest, ReverseResponse } from './message.ts';
import { ALL_BYTES, assertBadRequest } from './test-support.ts';

/** Encodes, sends through real JSON text, and decodes, as the long-poll wire does. */
function roundTripRequest(request: ReverseRequest): ReverseRequest {
  return decodeWireRequest(JSON.parse(JSON.stringify(encodeWireRequest(request))));
}

function roundTripResponse(response: ReverseResponse): ReverseResponse {
  return decodeWireResponse(JSON.parse(JSON.stringify(encodeWireResponse(response))));
}

function request(overrides: Partial<ReverseRequest> = {}): ReverseRequest {
  return { id: 'r1', method: 'GET', path: '/html/body/h1', query: '', headers: [], body: null, ...overrides };
}

function response(overrides: Partial<ReverseResponse> = {}): ReverseResponse {
  return { id: 'r1', status: 200, statusText: 'OK', headers: [], body: null, ...overrides };
}

describe('JSON codec of reverse requests', () => {
  const requests: Array<[string, ReverseRequest]> = [
    ['a GET without a body', request()],
    ['a GET with a query', request({ path: '/count(//li)', query: 'a=1&b=%20' })],
    [
      'a POST with repeated headers in wire order and a text body',
      request({
        method: 'POST',
        path: '//ul',
        headers: [
          ['Content-Type', 'text/html'],
          ['X-Tag', 'a'],
          ['x-tag', 'b'],
        ],
        body: utf8('<li>three</li>'),
      }),
    ],
    ['a PUT with a non-ASCII UTF-8 body', request({ method: 'PUT', body: utf8('héllo ✓ 😀') })],
    ['a PUT with a binary body', request({ method: 'PUT', body: ALL_BYTES })],
    ['a POST with an empty body', request({ method: 'POST', body: new Uint8Array(0) })],
  ];
  for (const [name, message] of requests) {
    it(`round-trips ${name}`, () => {
      assert.deepEqual(roundTripRequest(message), message);
    });
  }

  it('sends a UTF-8 body as body text, without body64', () => {
    const wire = encodeWireRequest(request({ method: 'POST', body: utf8('héllo ✓') }));
    assert.equal(wire.body, 'héllo ✓');
    assert.equal(wire.body64, undefined);
  });

  it('sends bytes that are not UTF-8 as body64, and all 256 byte values survive exactly', () => {
    const wire = encodeWireRequest(request({ method: 'PUT', body: ALL_BYTES }));
    assert.equal(wire.body, undefined);
    assert.equal(wire.body64, Buffer.from(ALL_BYTES).toString('base64'));
    assert.deepEqual(roundTripRequest(request({ method: 'PUT', body: ALL_BYTES })).body, ALL_BYTES);
  });

  it('sends a lone invalid byte amid text as body64', () => {
    const bytes = Uint8Array.from([0x61, 0xff, 0x62]);
    const wire = encodeWireRequest(request({ method: 'PUT', body: bytes }));
    assert.equal(wire.body64, 'Yf9i');
    assert.deepEqual(roundTripRequest(request({ method: 'PUT', body: bytes })).body, bytes);
  });

  it('keeps a leading byte order mark of a text body', () => {
    const bytes = Uint8Array.from([0xef, 0xbb, 0xbf, 0x61]);
    const wire = encodeWireRequest(request({ method: 'PUT', body: bytes }));
    assert.equal(wire.body, '\ufeffa');
    assert.deepEqual(roundTripRequest(request({ method: 'PUT', body: bytes })).body, bytes);
  });

  it('tells a null body from an empty one: null has neither field, empty is body ""', () => {
    const none = encodeWireRequest(request());
    assert.equal('body' in none, false);
    assert.equal('body64' in none, false);
    assert.equal(roundTripRequest(request()).body, null);

    const empty = encodeWireRequest(request({ method: 'POST', body: new Uint8Array(0) }));
    assert.equal(empty.body, '');
    assert.equal('body64' in empty, false);
    assert.deepEqual(roundTripRequest(request({ method: 'POST', body: new Uint8Array(0) })).body, new Uint8Array(0));
  });

  it('omits the query when it is empty and decodes a missing query as ""', () => {
    assert.equal('query' in encodeWireRequest(request()), false);
    assert.equal(encodeWireRequest(request({ query: 'x=1' })).query, 'x=1');
    assert.equal(decodeWireRequest({ id: 'a', method: 'GET', path: '/' }).query, '');
  });

  it('decodes missing headers as an empty list', () => {
    assert.deepEqual(decodeWireRequest({ id: 'a', method: 'GET', path: '/' }).headers, []);
  });

  it('decodes body64 into bytes', () => {
    assert.deepEqual(
      decodeWireRequest({ id: 'a', method: 'PUT', path: '/', body64: 'AP8=' }).body,
      Uint8Array.from([0, 255]),
    );
  });

  const valid = { id: 'a', method: 'GET', path: '/' };
  const badRequests: Array<[string, unknown, RegExp]> = [
    ['null', null, /expected a JSON object/],
    ['an array', [valid], /expected a JSON object/],
    ['a string', 'GET /', /expected a JSON object/],
    ['a number', 42, /expected a JSON object/],
    ['an object without id', { method: 'GET', path: '/' }, /"id" must be a string/],
    ['an object whose id is a number', { ...valid, id: 7 }, /"id" must be a string/],
    ['an object without method', { id: 'a', path: '/' }, /"method" must be a string/],
    ['an object without path', { id: 'a', method: 'GET' }, /"path" must be a string/],
    ['a path not starting with "/"', { ...valid, path: 'html/body' }, /path "html\/body" must begin with "\/"/],
    ['an empty path', { ...valid, path: '' }, /must begin with "\/"/],
    ['a query that is not a string', { ...valid, query: 1 }, /"query" must be a string/],
    ['headers that are an object', { ...valid, headers: { host: 'x' } }, /"headers" must be an array/],
    ['a header that is a string', { ...valid, headers: ['host: x'] }, /header "host: x" is not a \[name, value\] pair/],
    ['a header with one element', { ...valid, headers: [['host']] }, /header \["host"\] is not a \[name, value\] pair/],
    ['a header with three elements', { ...valid, headers: [['a', 'b', 'c']] }, /is not a \[name, value\] pair/],
    ['a header with a number value', { ...valid, headers: [['a', 1]] }, /is not a \[name, value\] pair of strings/],
    ['both body and body64', { ...valid, body: 'a', body64: 'YQ==' }, /has both "body" and "body64"/],
    ['a body that is not a string', { ...valid, body: [1, 2] }, /"body" must be a string/],
    ['a body64 with characters outside base64', { ...valid, body64: '!!!!' }, /"body64" is not valid base64/],
    ['a body64 of impossible length', { ...valid, body64: 'YWJjZ' }, /"body64" is not valid base64/],
    ['a body64 with misplaced padding', { ...valid, body64: 'Y=Q=' }, /"body64" is not valid base64/],
    ['a body64 that is not a string', { ...valid, body64: 3 }, /"body64"/],
  ];
  for (const [name, input, message] of badRequests) {
    it(`rejects ${name} with a 400 that says so`, () => {
      assertBadRequest(() => decodeWireRequest(input), /^Malformed reverse request: /);
      assertBadRequest(() => decodeWireRequest(input), message);
    });
  }
});

describe('JSON codec of reverse responses', () => {
  const responses: Array<[string, ReverseResponse]> = [
    ['a 200 with a text body', response({ headers: [['Content-Type', 'text/plain']], body: utf8('two') })],
    ['a 204 without a body', response({ status: 204, statusText: 'No Content' })],
    ['a 404 with an empty status text', response({ status: 404, statusText: '', body: utf8('{}') })],
    ['a 200 with a binary body', response({ body: ALL_BYTES })],
    ['a 200 with an empty body', response({ body: new Uint8Array(0) })],
    ['a 599 with a custom status text', response({ status: 599, statusText: 'Odd' })],
    ['a 100', response({ status: 100, statusText: 'Continue' })],
  ];
  for (const [name, message] of responses) {
    it(`round-trips ${name}`, () => {
      assert.deepEqual(roundTripResponse(message), message);
    });
  }

  it('sends binary bodies as body64 and text bodies as body', () => {
    const binary = encodeWireResponse(response({ body: ALL_BYTES }));
    assert.equal(binary.body64, Buffer.from(ALL_BYTES).toString('base64'));
    assert.equal(binary.body, undefined);
    const text = encodeWireResponse(response({ body: utf8('ok') }));
    assert.equal(text.body, 'ok');
    assert.equal(text.body64, undefined);
  });

  it('omits an empty status text and decodes a missing one as ""', () => {
    assert.equal('statusText' in encodeWireResponse(response({ statusText: '' })), false);
    assert.equal(decodeWireResponse({ id: 'a', status: 200 }).statusText, '');
  });

  it('tells a null body from an empty one', () => {
    assert.equal(roundTripResponse(response()).body, null);
    assert.deepEqual(roundTripResponse(response({ body: new Uint8Array(0) })).body, new Uint8Array(0));
  });

  const valid = { id: 'a', status: 200 };
  const badResponses: Array<[string, unknown, RegExp]> = [
    ['null', null, /expected a JSON object/],
    ['an array', [], /expected a JSON object/],
    ['a boolean', true, /expected a JSON object/],
    ['an object without status', { id: 'a' }, /"status" must be an integer from 100 to 599, got undefined/],
    [
      'a status that is a string',
      { ...valid, status: '200' },
      /"status" must be an integer from 100 to 599, got "200"/,
    ],
    ['a status of 99', { ...valid, status: 99 }, /"status" must be an integer from 100 to 599, got 99/],
    ['a status of 600', { ...valid, status: 600 }, /"status" must be an integer from 100 to 599, got 600/],
    ['a status that is not an integer', { ...valid, status: 200.5 }, /got 200\.5/],
    ['a status that is not finite', { ...valid, status: Number.POSITIVE_INFINITY }, /"status" must be an integer/],
    ['an object without id', { status: 200 }, /"id" must be a string/],
    ['a statusText that is not a string', { ...valid, statusText: 200 }, /"statusText" must be a string/],
    ['headers that are not pairs', { ...valid, headers: [['a']] }, /is not a \[name, value\] pair/],
    ['both body and body64', { ...valid, body: '', body64: '' }, /has both "body" and "body64"/],
    ['a bad body64', { ...valid, body64: 'not base64!' }, /"body64" is not valid base64/],
  ];
  for (const [name, input, message] of badResponses) {
    it(`rejects ${name} with a 400 that says so`, () => {
      assertBadRequest(() => decodeWireResponse(input), /^Malformed reverse response: /);
      assertBadRequest(() => decodeWireResponse(input), message);
    });
  }
});
