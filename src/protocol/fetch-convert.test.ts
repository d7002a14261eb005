import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { utf8 } from './bytes.ts';
import {
  fromRequest,
  fromResponse,
  headerList,
  isNullBodyStatus,
  pathAndQuery,
  REVERSE_ORIGIN,
  toRequest,
  toResponse,
} from './fetch-convert.ts';
import { HttpError } from './http-error.ts';
import type { Bytes, ReverseRequest, ReverseResponse } from './message.ts';

function request(overrides: Partial<ReverseRequest> = {}): ReverseRequest {
  return { id: 'r1', method: 'GET', path: '/html/body/h1', query: '', headers: [], body: null, ...overrides };
}

function response(overrides: Partial<ReverseResponse> = {}): ReverseResponse {
  return { id: 'r1', status: 200, statusText: 'OK', headers: [], body: null, ...overrides };
}

const ALL_BYTES: Bytes = Uint8Array.from({ length: 256 }, (_, i) => i);

/** Asserts that `promise` rejects with a 413 `HttpError` that names `limit`. */
async function assertTooLarge(promise: Promise<unknown>, limit: number): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof HttpError, `expected an HttpError, got ${String(error)}`);
    assert.equal(error.status, 413);
    assert.match(error.message, new RegExp(`limit of ${limit} bytes`));
    assert.deepEqual(error.extensions, { limit });
    return true;
  });
}

/** A body stream of `chunks`, then the end. */
function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

describe('toRequest and fromRequest', () => {
  it('make a Request at the reverse origin with the path, query, method, headers and body', async () => {
    const fetchRequest = toRequest(
      request({
        method: 'POST',
        path: '//ul',
        query: 'a=1&b=2',
        headers: [['Content-Type', 'text/html']],
        body: utf8('<li>3</li>'),
      }),
    );
    assert.equal(fetchRequest.url, `${REVERSE_ORIGIN}//ul?a=1&b=2`);
    assert.equal(fetchRequest.method, 'POST');
    assert.equal(fetchRequest.headers.get('content-type'), 'text/html');
    assert.equal(await fetchRequest.text(), '<li>3</li>');
  });

  it('use another origin when given one', () => {
    assert.equal(toRequest(request({ query: 'x' }), 'https://example.com').url, 'https://example.com/html/body/h1?x');
  });

  const roundTrips: Array<[string, ReverseRequest]> = [
    ['a GET without a body', request()],
    ['a GET of //li with a query', request({ path: '//li', query: 'q=%20x' })],
    ['a POST with a text body', request({ method: 'POST', path: '//ul', body: utf8('<li>é</li>') })],
    ['a PUT with a binary body', request({ method: 'PUT', body: ALL_BYTES })],
    ['a POST with an empty body', request({ method: 'POST', body: new Uint8Array(0) })],
    ['a POST without a body', request({ method: 'POST' })],
    ['a DELETE of an XPath with predicates', request({ method: 'DELETE', path: "/html/body/ul/li[2][@id='x']" })],
    ['a PATCH with lowercase headers', request({ method: 'PATCH', headers: [['if-match', '"e1"']], body: utf8('x') })],
  ];
  for (const [name, message] of roundTrips) {
    it(`round-trip ${name}`, async () => {
      assert.deepEqual(await fromRequest(message.id, toRequest(message)), message);
    });
  }

  it('take the id from the argument, not from the request', async () => {
    assert.equal((await fromRequest('other', toRequest(request({ id: 'r1' })))).id, 'other');
  });

  it('return header names lowercased, sorted, and repeats joined by ", ", as Headers keeps them', async () => {
    const message = request({
      headers: [
        ['X-B', '1'],
        ['X-A', '2'],
        ['x-a', '3'],
      ],
    });
    assert.deepEqual((await fromRequest('r1', toRequest(message))).headers, [
      ['x-a', '2, 3'],
      ['x-b', '1'],
    ]);
  });

  const bodiless: Array<[string, string]> = [
    ['GET', 'GET'],
    ['HEAD', 'HEAD'],
    ['a lowercase get', 'get'],
  ];
  for (const [name, method] of bodiless) {
    it(`ignore the body of ${name}`, async () => {
      const fetchRequest = toRequest(request({ method, body: utf8('ignored') }));
      assert.equal(fetchRequest.body, null);
      assert.equal((await fromRequest('r1', fetchRequest)).body, null);
    });
  }

  // The URL of a Request follows the WHATWG URL rules. toRequest protects dot segments and "\\"
  // first (the "/" before them becomes %2F), so decoding the path once gives the original back;
  // only a leading "/.." cannot be kept (it means "/" in XPath too). Some characters get
  // percent-encoded by the URL parser.
  const urlRules: Array<[string, string]> = [
    ['/a/../b', '/a%2F../b'],
    ['/a/./b', '/a%2F./b'],
    ['/a/%2e%2e/b', '/a%2F%2e%2e/b'],
    ['/a/%2E/b', '/a%2F%2E/b'],
    ['/..', '/'],
    ['//li/..', '//li%2F..'],
    ['/html/body/h1/.', '/html/body/h1%2F.'],
    ['/html/body/h1/..', '/html/body/h1%2F..'],
    ["//a[@x='a\\b']", "//a[@x='a%5Cb']"],
    ['//li[. = 1]', '//li[.%20=%201]'],
    ['//li[@x="a"]', '//li[@x=%22a%22]'],
    ['/a{b}<c>', '/a%7Bb%7D%3Cc%3E'],
    ["/count(//li[@id='x'])/@*:a", "/count(//li[@id='x'])/@*:a"],
    ['/é', '/%C3%A9'],
    ['/%C3%A9%2F', '/%C3%A9%2F'],
  ];
  for (const [path, resolved] of urlRules) {
    it(`turn the path ${path} into ${resolved}`, async () => {
      assert.equal((await fromRequest('r1', toRequest(request({ path })))).path, resolved);
    });
  }

  it('throw a 413 HttpError when the body is over the limit', async () => {
    const message = request({ method: 'POST', body: utf8('12345') });
    await assertTooLarge(fromRequest('r1', toRequest(message), 4), 4);
  });

  it('accept a body of exactly the limit', async () => {
    const message = request({ method: 'POST', body: utf8('12345') });
    assert.deepEqual((await fromRequest('r1', toRequest(message), 5)).body, utf8('12345'));
  });

  it('accept a request without a body under a limit of 0', async () => {
    assert.equal((await fromRequest('r1', toRequest(request()), 0)).body, null);
  });
});

describe('toResponse and fromResponse', () => {
  it('make a Response with the status, status text, headers and body', async () => {
    const fetchResponse = toResponse(
      response({ status: 201, statusText: 'Created', headers: [['Location', '/a']], body: utf8('hi') }),
    );
    assert.equal(fetchResponse.status, 201);
    assert.equal(fetchResponse.statusText, 'Created');
    assert.equal(fetchResponse.headers.get('location'), '/a');
    assert.equal(await fetchResponse.text(), 'hi');
  });

  const roundTrips: Array<[string, ReverseResponse]> = [
    ['a 200 with a text body', response({ headers: [['content-type', 'text/plain']], body: utf8('two') })],
    ['a 200 with a binary body', response({ body: ALL_BYTES })],
    ['a 200 with an empty body', response({ body: new Uint8Array(0) })],
    ['a 200 without a body', response()],
    ['a 404 with an empty status text', response({ status: 404, statusText: '', body: utf8('{}') })],
    ['a 599 with a custom status text', response({ status: 599, statusText: 'Odd' })],
  ];
  for (const [name, message] of roundTrips) {
    it(`round-trip ${name}`, async () => {
      assert.deepEqual(await fromResponse(message.id, toResponse(message)), message);
    });
  }

  const nullBody: Array<[number, string]> = [
    [204, 'No Content'],
    [205, 'Reset Content'],
    [304, 'Not Modified'],
  ];
  for (const [status, statusText] of nullBody) {
    it(`drop the body of a ${status}`, async () => {
      const fetchResponse = toResponse(response({ status, statusText, body: utf8('dropped') }));
      assert.equal(fetchResponse.status, status);
      assert.equal(fetchResponse.body, null);
      assert.deepEqual(await fromResponse('r1', fetchResponse), response({ status, statusText, body: null }));
    });
  }

  const unheld = [100, 101, 103, 199, 600];
  for (const status of unheld) {
    it(`throw a RangeError for status ${status}, which a fetch Response cannot hold`, () => {
      assert.throws(() => toResponse(response({ status })), RangeError);
    });
  }

  it('throw a 413 HttpError when the body is over the limit', async () => {
    await assertTooLarge(fromResponse('r1', toResponse(response({ body: ALL_BYTES })), 255), 255);
  });

  it('throw a 413 from the declared Content-Length before reading the body', async () => {
    const declared = new Response('small', { headers: { 'content-length': '1000' } });
    await assertTooLarge(fromResponse('r1', declared, 100), 100);
  });

  it('count the bytes of a streamed body across chunks', async () => {
    const streamed = new Response(streamOf([utf8('abc'), utf8('def'), utf8('g')]));
    await assertTooLarge(fromResponse('r1', streamed, 6), 6);
    const fits = new Response(streamOf([utf8('abc'), utf8('def'), utf8('g')]));
    assert.deepEqual((await fromResponse('r1', fits, 7)).body, utf8('abcdefg'));
  });

  it('stop reading an endless body once it passes the limit', async () => {
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(1024));
      },
      cancel() {
        cancelled = true;
      },
    });
    await assertTooLarge(fromResponse('r1', new Response(endless), 4096), 4096);
    assert.equal(cancelled, true);
  });
});

describe('headerList and isNullBodyStatus', () => {
  it('headerList lists a Headers object as lowercase [name, value] pairs', () => {
    const headers = new Headers([
      ['Content-Type', 'text/html'],
      ['Accept', 'a'],
      ['accept', 'b'],
    ]);
    assert.deepEqual(headerList(headers), [
      ['accept', 'a, b'],
      ['content-type', 'text/html'],
    ]);
  });

  const statuses: Array<[number, boolean]> = [
    [101, true],
    [103, true],
    [204, true],
    [205, true],
    [304, true],
    [100, false],
    [200, false],
    [206, false],
    [404, false],
  ];
  for (const [status, expected] of statuses) {
    it(`isNullBodyStatus(${status}) is ${expected}`, () => {
      assert.equal(isNullBodyStatus(status), expected);
    });
  }
});

describe('pathAndQuery', () => {
  for (const url of [
    'http://ptth.invalid/html/body/h1',
    'http://ptth.invalid/',
    'http://ptth.invalid/a?x=1&y=2',
    'http://ptth.invalid/a?',
    'https://host:8443/p/q?z',
    'http://host:80/%2F..%2Fx?q=/a?b',
    'http://ptth.invalid?q',
    'http://ptth.invalid/a#frag',
    'http://ptth.invalid/a?x=1#frag?y',
    'http://ptth.invalid#frag',
    'data:text/plain,hello',
    'blob:http://x/uuid',
  ]) {
    it(`splits ${url} as URL does`, () => {
      const parsed = new URL(new Request(url).url);
      assert.deepEqual(pathAndQuery(new Request(url).url), { path: parsed.pathname, query: parsed.search.slice(1) });
    });
  }
});
