import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { utf8Text } from './bytes.ts';
import { HttpError } from './http-error.ts';
import { ResponseStream } from './response-stream.ts';

function bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

/** Two pipelined responses, one framed by length and one chunked, as Node's http.Server writes them. */
const PIPELINED =
  'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello' +
  'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n';

describe('reading responses from a stream', () => {
  it('gives the same two responses wherever the stream is cut', () => {
    const whole = bytes(PIPELINED);
    for (let cut = 0; cut <= whole.length; cut++) {
      const stream = new ResponseStream();
      const got = [...stream.push(whole.subarray(0, cut)).messages, ...stream.push(whole.subarray(cut)).messages];
      assert.deepEqual(
        got.map((response) => [response.status, utf8Text(response.body ?? new Uint8Array())]),
        [
          [200, 'hello'],
          [201, 'abcde'],
        ],
        `cut at ${cut}`,
      );
      assert.equal(stream.buffered, 0);
    }
  });

  it('gives a response only once its last byte has arrived, one byte at a time', () => {
    const whole = bytes(PIPELINED);
    const stream = new ResponseStream();
    const seen: number[] = [];
    whole.forEach((byte, i) => {
      for (const _ of stream.push(Uint8Array.of(byte)).messages) seen.push(i);
    });
    const firstEnd = PIPELINED.indexOf('hello') + 4;
    assert.deepEqual(seen, [firstEnd, whole.length - 1]);
  });

  it('skips interim 100 Continue and 103 Early Hints responses', () => {
    const stream = new ResponseStream();
    const { messages: got } = stream.push(
      bytes(
        'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n',
      ),
    );
    assert.deepEqual(
      got.map((response) => response.status),
      [204],
    );
  });

  it('reads no body for a response to HEAD, whatever its Content-Length says', () => {
    const stream = new ResponseStream();
    const heads = [true, false];
    const { messages: got } = stream.push(
      bytes('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc'),
      (index) => heads[index] ?? false,
    );
    assert.equal(got.length, 2);
    assert.equal(got[0]?.body, null);
    assert.deepEqual(got[0]?.headers, [['Content-Length', '3']]);
    assert.equal(utf8Text(got[1]?.body ?? new Uint8Array()), 'abc');
  });

  const malformed: [string, string][] = [
    ['a request instead of a response', 'GET / HTTP/1.1\r\n\r\n'],
    ['a bad status line', 'HTTP/1.1 OK\r\n\r\n'],
    ['a bad header line', 'HTTP/1.1 200 OK\r\nno colon\r\n\r\n'],
    ['both framings', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n'],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
  ];
  for (const [what, text] of malformed) {
    it(`refuses ${what} with a 400 HttpError, after the good responses before it`, () => {
      const stream = new ResponseStream();
      const { messages, error } = stream.push(bytes(`HTTP/1.1 204 No Content\r\n\r\n${text}`));
      assert.deepEqual(
        messages.map((response) => response.status),
        [204],
      );
      assert.ok(error instanceof HttpError && error.status === 400, String(error));
      assert.equal(stream.push(bytes('HTTP/1.1 204 No Content\r\n\r\n')).error, error, 'the stream stays broken');
    });
  }

  it('refuses a response that grows past the limit before it is complete', () => {
    const stream = new ResponseStream(100);
    stream.push(bytes('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n'));
    assert.match(String(stream.push(new Uint8Array(200)).error), /over the limit/);
  });
});
