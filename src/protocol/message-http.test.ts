import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concatBytes, utf8 } from './bytes.ts';
import { HttpError } from './http-error.ts';
import { decodeWireRequest, decodeWireResponse, encodeWireRequest, encodeWireResponse } from './json-codec.ts';
import type { Bytes, ReverseRequest, ReverseResponse } from './message.ts';
import { ID_HEADER, parseRequests, parseResponses, printBatch, printRequest, printResponse } from './message-http.ts';
import { ALL_BYTES, assertBadRequest } from './test-support.ts';

/** Bytes of a string whose characters are all below U+0100, one byte each, as HTTP heads are. */
function bytes(text: string): Bytes {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

/** The bytes as a string, one character per byte, so exact output reads as text. */
function text(data: Uint8Array): string {
  return Buffer.from(data).toString('latin1');
}

function request(overrides: Partial<ReverseRequest> = {}): ReverseRequest {
  return { id: '1', method: 'GET', path: '/', query: '', headers: [['Host', 'page']], body: null, ...overrides };
}

function response(overrides: Partial<ReverseResponse> = {}): ReverseResponse {
  return { id: '1', status: 200, statusText: 'OK', headers: [], body: null, ...overrides };
}

describe('printing message/http', () => {
  it('prints a request line, Ptth-Id first, the headers, and a blank line, all with CRLF', () => {
    const printed = printRequest(
      request({
        id: 'abc',
        path: '/count(//li)',
        query: 'a=1',
        headers: [
          ['Host', 'page'],
          ['Accept', '*/*'],
        ],
      }),
    );
    assert.equal(text(printed), 'GET /count(//li)?a=1 HTTP/1.1\r\nPtth-Id: abc\r\nHost: page\r\nAccept: */*\r\n\r\n');
  });

  it('adds an empty Host header right after Ptth-Id when the request has none', () => {
    const printed = printRequest(request({ headers: [['Accept', 'text/html']] }));
    assert.equal(text(printed), 'GET / HTTP/1.1\r\nPtth-Id: 1\r\nHost: \r\nAccept: text/html\r\n\r\n');
  });

  it('finds an existing Host header whatever its case and does not add another', () => {
    const printed = printRequest(
      request({
        headers: [
          ['accept', '*/*'],
          ['host', 'page'],
        ],
      }),
    );
    assert.equal(text(printed), 'GET / HTTP/1.1\r\nPtth-Id: 1\r\naccept: */*\r\nhost: page\r\n\r\n');
  });

  it('prints no Ptth-Id header when the id is empty', () => {
    assert.equal(text(printRequest(request({ id: '' }))), 'GET / HTTP/1.1\r\nHost: page\r\n\r\n');
  });

  it('adds Content-Length for a body and prints the body bytes after the head', () => {
    const printed = printRequest(request({ method: 'POST', path: '//ul', body: utf8('<li>é</li>') }));
    assert.equal(
      text(printed),
      `POST //ul HTTP/1.1\r\nPtth-Id: 1\r\nHost: page\r\nContent-Length: 11\r\n\r\n${text(utf8('<li>é</li>'))}`,
    );
  });

  it('prints Content-Length: 0 for an empty body and none for a null body', () => {
    assert.equal(
      text(printRequest(request({ method: 'POST', body: new Uint8Array(0) }))),
      'POST / HTTP/1.1\r\nPtth-Id: 1\r\nHost: page\r\nContent-Length: 0\r\n\r\n',
    );
    assert.doesNotMatch(text(printRequest(request({ method: 'POST' }))), /Content-Length/i);
  });

  it('replaces existing Content-Length, Transfer-Encoding and Ptth-Id headers, whatever their case', () => {
    const printed = printRequest(
      request({
        method: 'PUT',
        headers: [
          ['Host', 'page'],
          ['content-length', '99'],
          ['Transfer-Encoding', 'chunked'],
          ['X-A', '1'],
          ['PTTH-ID', 'forged'],
          ['CONTENT-LENGTH', '7'],
        ],
        body: utf8('abc'),
      }),
    );
    assert.equal(text(printed), 'PUT / HTTP/1.1\r\nPtth-Id: 1\r\nHost: page\r\nX-A: 1\r\nContent-Length: 3\r\n\r\nabc');
  });

  it('drops the framing headers of a request without a body too', () => {
    const printed = printRequest(
      request({
        headers: [
          ['Host', 'page'],
          ['Content-Length', '5'],
        ],
      }),
    );
    assert.equal(text(printed), 'GET / HTTP/1.1\r\nPtth-Id: 1\r\nHost: page\r\n\r\n');
  });

  it('prints a status line with the given reason, Ptth-Id first, and the body', () => {
    const printed = printResponse(
      response({ id: '9', status: 201, statusText: 'Made', headers: [['Location', '/a']], body: utf8('hi') }),
    );
    assert.equal(text(printed), 'HTTP/1.1 201 Made\r\nPtth-Id: 9\r\nLocation: /a\r\nContent-Length: 2\r\n\r\nhi');
  });

  const reasons: Array<[number, string]> = [
    [200, 'OK'],
    [204, 'No Content'],
    [404, 'Not Found'],
    [413, 'Content Too Large'],
    [299, 'Unknown'],
  ];
  for (const [status, reason] of reasons) {
    it(`prints the reason "${reason}" for a ${status} without a status text`, () => {
      assert.equal(
        text(printResponse(response({ status, statusText: '' }))),
        `HTTP/1.1 ${status} ${reason}\r\nPtth-Id: 1\r\n\r\n`,
      );
    });
  }

  it('does not add a Host header to responses', () => {
    assert.doesNotMatch(text(printResponse(response())), /host/i);
  });

  it('prints a binary body byte for byte', () => {
    const printed = printResponse(response({ body: ALL_BYTES }));
    const head = bytes('HTTP/1.1 200 OK\r\nPtth-Id: 1\r\nContent-Length: 256\r\n\r\n');
    assert.deepEqual(printed, concatBytes([head, ALL_BYTES]));
  });

  it('prints a batch as the messages one after the other', () => {
    const first = request({ id: 'a' });
    const second = request({ id: 'b', method: 'POST', body: utf8('x') });
    assert.deepEqual(
      printBatch([first, second], printRequest),
      concatBytes([printRequest(first), printRequest(second)]),
    );
    assert.deepEqual(printBatch([], printRequest), new Uint8Array(0));
  });

  const injections: Array<[string, string]> = [
    ['CR LF', 'a\r\nX-Injected: 1'],
    ['a bare LF', 'a\nX-Injected: 1'],
    ['a bare CR', 'a\rX-Injected: 1'],
    ['a trailing CR LF', 'a\r\n'],
  ];
  for (const [name, value] of injections) {
    it(`refuses to print a request header value containing ${name}`, () => {
      assert.throws(() =>
        printRequest(
          request({
            headers: [
              ['Host', 'page'],
              ['X-A', value],
            ],
          }),
        ),
      );
    });
    it(`refuses to print a response header value containing ${name}`, () => {
      assert.throws(() => printResponse(response({ headers: [['X-A', value]] })));
    });
  }
});

describe('parsing message/http', () => {
  it('parses a pipelined batch of several requests back into the messages printed', () => {
    const messages = [
      request({ id: 'a', path: '/html/body/h1' }),
      request({ id: 'b', method: 'POST', path: '//ul', query: 'x=1', body: utf8('<li>3</li>') }),
      request({
        id: 'c',
        method: 'DELETE',
        path: '/html/body/h1',
        headers: [
          ['Host', 'page'],
          ['If-Match', '"e"'],
        ],
      }),
      request({ id: 'd', method: 'PUT', body: new Uint8Array(0) }),
    ];
    assert.deepEqual(parseRequests(printBatch(messages, printRequest)), messages);
  });

  it('parses a pipelined batch of several responses back into the messages printed', () => {
    const messages = [
      response({ id: 'a', headers: [['Content-Type', 'text/html']], body: utf8('<h1>Hi</h1>') }),
      response({ id: 'b', status: 204, statusText: 'No Content' }),
      response({ id: 'c', status: 404, statusText: 'Not Found', body: utf8('{"status":404}') }),
      response({ id: 'd', body: new Uint8Array(0) }),
    ];
    assert.deepEqual(parseResponses(printBatch(messages, printResponse)), messages);
  });

  it('parses an empty batch as no messages', () => {
    assert.deepEqual(parseRequests(new Uint8Array(0)), []);
    assert.deepEqual(parseResponses(new Uint8Array(0)), []);
  });

  it('returns the added empty Host header of a request that had none', () => {
    const [parsed] = parseRequests(printRequest(request({ headers: [['Accept', '*/*']] })));
    assert.deepEqual(parsed?.headers, [
      ['Host', ''],
      ['Accept', '*/*'],
    ]);
  });

  it('reads the id from Ptth-Id in any case, keeps other header names as sent, and trims values', () => {
    const [parsed] = parseRequests(
      bytes('GET /a?b=c HTTP/1.1\r\nptth-id:  x1 \r\nX-Mixed-Case:\tv \r\nHost:page\r\n\r\n'),
    );
    assert.deepEqual(parsed, {
      id: 'x1',
      method: 'GET',
      path: '/a',
      query: 'b=c',
      headers: [
        ['X-Mixed-Case', 'v'],
        ['Host', 'page'],
      ],
      body: null,
    });
  });

  it('gives an empty id to a message without Ptth-Id', () => {
    const [parsed] = parseResponses(bytes('HTTP/1.1 200 OK\r\n\r\n'));
    assert.equal(parsed?.id, '');
  });

  it('splits only the first "?" of the target into path and query', () => {
    const [parsed] = parseRequests(bytes('GET /p?a=1?b HTTP/1.1\r\n\r\n'));
    assert.equal(parsed?.path, '/p');
    assert.equal(parsed?.query, 'a=1?b');
  });

  it('keeps an empty query after a bare "?" as ""', () => {
    const [parsed] = parseRequests(bytes('GET /p? HTTP/1.1\r\n\r\n'));
    assert.equal(parsed?.path, '/p');
    assert.equal(parsed?.query, '');
  });

  const statusLines: Array<[string, number, string]> = [
    ['HTTP/1.1 200 OK', 200, 'OK'],
    ['HTTP/1.0 404 Not Found', 404, 'Not Found'],
    ['HTTP/1.1 418 I am a teapot', 418, 'I am a teapot'],
    ['HTTP/1.1 204 ', 204, ''],
    ['HTTP/1.1 204', 204, ''],
    ['HTTP/1.1 599 Odd', 599, 'Odd'],
  ];
  for (const [line, status, statusText] of statusLines) {
    it(`parses the status line "${line}" as ${status} "${statusText}"`, () => {
      const [parsed] = parseResponses(bytes(`${line}\r\n\r\n`));
      assert.equal(parsed?.status, status);
      assert.equal(parsed?.statusText, statusText);
    });
  }

  it('decodes a chunked body, with chunk extensions and trailers, followed by another message', () => {
    const batch = bytes(
      'POST /x HTTP/1.1\r\nPtth-Id: 1\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '3;name=value\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n' +
        'GET /y HTTP/1.1\r\nPtth-Id: 2\r\n\r\n',
    );
    const parsed = parseRequests(batch);
    assert.equal(parsed.length, 2);
    assert.deepEqual(parsed[0]?.body, utf8('abc0123456789'));
    assert.deepEqual(parsed[0]?.headers, []);
    assert.equal(parsed[1]?.id, '2');
    assert.equal(parsed[1]?.path, '/y');
  });

  it('decodes a chunked body of binary bytes, including CR and LF bytes', () => {
    const batch = concatBytes([
      bytes('HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n80\r\n'),
      ALL_BYTES.subarray(0, 128),
      bytes('\r\n80\r\n'),
      ALL_BYTES.subarray(128),
      bytes('\r\n0\r\n\r\n'),
    ]);
    const [parsed] = parseResponses(batch);
    assert.deepEqual(parsed?.body, ALL_BYTES);
  });

  it('decodes a chunked body with no chunks as an empty body', () => {
    const [parsed] = parseResponses(bytes('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'));
    assert.deepEqual(parsed?.body, new Uint8Array(0));
  });

  it('accepts bare LF line endings in heads and chunked bodies', () => {
    const batch = bytes(
      'GET / HTTP/1.1\nPtth-Id: 1\nHost: page\n\n' +
        'POST /y HTTP/1.1\nPtth-Id: 2\nContent-Length: 2\n\nhi' +
        'PUT /z HTTP/1.1\nPtth-Id: 3\nTransfer-Encoding: chunked\n\n2\nok\n0\n\n',
    );
    assert.deepEqual(parseRequests(batch), [
      request({ id: '1' }),
      request({ id: '2', method: 'POST', path: '/y', headers: [], body: utf8('hi') }),
      request({ id: '3', method: 'PUT', path: '/z', headers: [], body: utf8('ok') }),
    ]);
  });

  it('accepts a head ending in a bare LF line followed by CRLF, and the reverse', () => {
    const [first, second] = parseResponses(
      bytes('HTTP/1.1 200 OK\nPtth-Id: 1\n\r\nHTTP/1.1 201 C\r\nPtth-Id: 2\r\n\n'),
    );
    assert.equal(first?.id, '1');
    assert.equal(second?.status, 201);
  });

  it('tolerates blank lines before and between pipelined messages', () => {
    const batch = bytes(
      '\r\n\nHTTP/1.1 200 OK\r\nPtth-Id: a\r\n\r\n\r\n\r\nHTTP/1.1 204 No Content\r\nPtth-Id: b\r\n\r\n\n',
    );
    assert.deepEqual(
      parseResponses(batch).map((message) => message.id),
      ['a', 'b'],
    );
  });

  it('keeps binary bodies exact, even when they hold a blank line or a whole message', () => {
    const tricky = concatBytes([bytes('\r\n\r\nHTTP/1.1 500 Fake\r\n\r\n'), ALL_BYTES]);
    const messages = [
      response({ id: 'a', body: ALL_BYTES }),
      response({ id: 'b', body: tricky }),
      response({ id: 'c' }),
    ];
    assert.deepEqual(parseResponses(printBatch(messages, printResponse)), messages);
  });

  it('returns bodies that do not share memory with the input', () => {
    const input = printResponse(response({ body: utf8('abc') }));
    const [parsed] = parseResponses(input);
    input.fill(0);
    assert.deepEqual(parsed?.body, utf8('abc'));
  });

  const badRequests: Array<[string, string, RegExp]> = [
    [
      'a head without its blank line',
      'GET / HTTP/1.1\r\nHost: x\r\n',
      /Incomplete message head in the message at byte 0/,
    ],
    ['a start line alone', 'GET / HTTP/1.1', /Incomplete message head/],
    [
      'a body shorter than its Content-Length',
      'PUT / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc',
      /Body shorter than its Content-Length 10/,
    ],
    [
      'a Content-Length that is not a number',
      'PUT / HTTP/1.1\r\nContent-Length: abc\r\n\r\n',
      /Bad Content-Length "abc"/,
    ],
    ['a negative Content-Length', 'PUT / HTTP/1.1\r\nContent-Length: -1\r\n\r\n', /Bad Content-Length "-1"/],
    ['a fractional Content-Length', 'PUT / HTTP/1.1\r\nContent-Length: 1.5\r\n\r\nab', /Bad Content-Length "1\.5"/],
    ['an empty Content-Length', 'PUT / HTTP/1.1\r\nContent-Length:\r\n\r\n', /Bad Content-Length ""/],
    ['a Content-Length list', 'PUT / HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\na', /Bad Content-Length "1, 1"/],
    [
      'two different Content-Lengths',
      'PUT / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
      /Bad Content-Length "2"/,
    ],
    ['an obs-fold continuation with a space', 'GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n', /Obsolete line folding/],
    ['an obs-fold continuation with a tab', 'GET / HTTP/1.1\r\nX-A: a\r\n\tb\r\n\r\n', /Obsolete line folding/],
    ['a header line without a colon', 'GET / HTTP/1.1\r\nNoColon\r\n\r\n', /Malformed header line "NoColon"/],
    ['a header line with an empty name', 'GET / HTTP/1.1\r\n: x\r\n\r\n', /Malformed header line/],
    ['a header name followed by a space', 'GET / HTTP/1.1\r\nX-A : x\r\n\r\n', /Malformed header line "X-A : x"/],
    [
      'an unsupported Transfer-Encoding',
      'PUT / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n',
      /Unsupported Transfer-Encoding "gzip"/,
    ],
    ['a bad chunk size', 'PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /Bad chunk size "zz"/],
    ['a truncated chunk', 'PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab', /Truncated chunk/],
    [
      'a chunked body without its last chunk',
      'PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n',
      /Truncated chunked body/,
    ],
    [
      'a chunked body without its end',
      'PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n',
      /Truncated chunked trailer/,
    ],
    [
      'a chunk not followed by CRLF',
      'PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n',
      /Chunk not followed by CRLF/,
    ],
    ['a request line without a version', 'GET /\r\n\r\n', /Malformed request line "GET \/"/],
    ['a request line with HTTP/2.0', 'GET / HTTP/2.0\r\n\r\n', /Malformed request line/],
    ['a request line with a lowercase version', 'GET / http/1.1\r\n\r\n', /Malformed request line/],
    ['a request line with two spaces', 'GET  / HTTP/1.1\r\n\r\n', /Malformed request line/],
    ['a request line with a method that is not a token', 'G(T / HTTP/1.1\r\n\r\n', /Malformed request line/],
    ['a request line with a space in the target', 'GET /a b HTTP/1.1\r\n\r\n', /Malformed request line/],
    ['a status line as a request line', 'HTTP/1.1 200 OK\r\n\r\n', /Malformed request line/],
    ['an asterisk target', 'OPTIONS * HTTP/1.1\r\n\r\n', /Request target "\*" must begin with "\/"/],
    [
      'an absolute-form target',
      'GET http://page/ HTTP/1.1\r\n\r\n',
      /Request target "http:\/\/page\/" must begin with "\/"/,
    ],
    ['a relative target', 'GET html/body HTTP/1.1\r\n\r\n', /must begin with "\/"/],
  ];
  for (const [name, input, message] of badRequests) {
    it(`rejects a request batch with ${name} as a 400`, () => {
      assertBadRequest(() => parseRequests(bytes(input)), message);
    });
  }

  const badStatusLines: Array<[string, string]> = [
    ['a status below 100', 'HTTP/1.1 099 Low'],
    ['a status of 600', 'HTTP/1.1 600 High'],
    ['a two-digit status', 'HTTP/1.1 99 Low'],
    ['a four-digit status', 'HTTP/1.1 2000 OK'],
    ['no space before the reason', 'HTTP/1.1 200OK'],
    ['HTTP/2', 'HTTP/2 200 OK'],
    ['no version', '200 OK'],
    ['a request line', 'GET / HTTP/1.1'],
  ];
  for (const [name, line] of badStatusLines) {
    it(`rejects a status line with ${name} as a 400`, () => {
      assertBadRequest(
        () => parseResponses(bytes(`${line}\r\n\r\n`)),
        new RegExp(`^Malformed status line ${JSON.stringify(line).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
      );
    });
  }

  it('says at which byte the broken message of a batch starts', () => {
    const good = printResponse(response({ body: utf8('ok') }));
    const batch = concatBytes([good, bytes('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort')]);
    assertBadRequest(() => parseResponses(batch), new RegExp(`in the message at byte ${good.length}$`));
  });

  it('uses the Ptth-Id header name the printers use', () => {
    assert.equal(ID_HEADER, 'Ptth-Id');
  });
});

describe('JSON and message/http encodings', () => {
  const requests: Array<[string, ReverseRequest]> = [
    ['a plain GET', request({ id: 'r-1', path: '/html/body/h1' })],
    ['a GET with a query', request({ id: 'r-2', path: '/count(//li)', query: 'a=1&b=%20' })],
    [
      'a POST with repeated headers and a UTF-8 body',
      request({
        id: 'r-3',
        method: 'POST',
        path: '//ul',
        headers: [
          ['Host', 'page'],
          ['Content-Type', 'text/html; charset=utf-8'],
          ['X-Tag', 'a'],
          ['x-tag', 'b'],
        ],
        body: utf8('<li>trois ✓</li>'),
      }),
    ],
    ['a PUT with a binary body', request({ id: 'r-4', method: 'PUT', body: ALL_BYTES })],
    ['a PATCH with an empty body', request({ id: 'r-5', method: 'PATCH', body: new Uint8Array(0) })],
    ['a DELETE with a Latin-1 header value', request({ id: 'r-6', method: 'DELETE', headers: [['Host', 'café']] })],
    ['a request with an empty id', request({ id: '' })],
  ];
  for (const [name, message] of requests) {
    it(`agree on ${name}`, () => {
      const viaJson = decodeWireRequest(JSON.parse(JSON.stringify(encodeWireRequest(message))));
      const viaHttp = parseRequests(printRequest(message));
      assert.equal(viaHttp.length, 1);
      const [parsed] = viaHttp;
      assert.ok(parsed);
      assert.equal(parsed.id, viaJson.id);
      assert.equal(parsed.method, viaJson.method);
      assert.equal(parsed.path, viaJson.path);
      assert.equal(parsed.query, viaJson.query);
      assert.deepEqual(parsed.headers, viaJson.headers);
      assert.deepEqual(parsed.body, viaJson.body);
      assert.deepEqual(parsed, message);
    });
  }

  const responses: Array<[string, ReverseResponse]> = [
    ['a 200 with a text body', response({ id: 's-1', headers: [['Content-Type', 'text/plain']], body: utf8('two') })],
    ['a 204 without a body', response({ id: 's-2', status: 204, statusText: 'No Content' })],
    ['a 200 with a binary body', response({ id: 's-3', body: ALL_BYTES })],
    ['a 200 with an empty body', response({ id: 's-4', body: new Uint8Array(0) })],
    ['a 404 with a custom reason', response({ id: 's-5', status: 404, statusText: 'No Such Node', body: utf8('{}') })],
  ];
  for (const [name, message] of responses) {
    it(`agree on ${name}`, () => {
      const viaJson = decodeWireResponse(JSON.parse(JSON.stringify(encodeWireResponse(message))));
      const [parsed, ...rest] = parseResponses(printResponse(message));
      assert.equal(rest.length, 0);
      assert.deepEqual(parsed, viaJson);
      assert.deepEqual(parsed, message);
    });
  }
});

describe('message/http framing and injection guards', () => {
  const request: ReverseRequest = { id: '1', method: 'GET', path: '/', query: '', headers: [], body: null };

  it('refuses a message with both Transfer-Encoding and Content-Length (request smuggling)', () => {
    const bytes = utf8('POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    assert.throws(
      () => parseRequests(bytes),
      (error) => error instanceof HttpError && error.status === 400,
    );
  });

  const unprintable: Array<[string, ReverseRequest]> = [
    ['a method that is not a token', { ...request, method: 'GET /evil HTTP/1.1\r\n' }],
    ['a path with whitespace', { ...request, path: '/a b' }],
    ['a header name that is not a token', { ...request, headers: [['X A', 'b']] }],
    ['an id with CR LF', { ...request, id: '1\r\nX-Injected: 1' }],
  ];
  for (const [what, bad] of unprintable) {
    it(`refuses to print ${what}`, () => {
      assert.throws(
        () => printRequest(bad),
        (error) => error instanceof HttpError && error.status === 400,
      );
    });
  }

  it('refuses to print a status text with CR LF', () => {
    const response: ReverseResponse = {
      id: '1',
      status: 200,
      statusText: 'OK\r\nX-Injected: 1',
      headers: [],
      body: null,
    };
    assert.throws(
      () => printResponse(response),
      (error) => error instanceof HttpError && error.status === 400,
    );
  });
});
