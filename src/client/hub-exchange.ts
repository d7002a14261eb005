/**
 * The transport's exchanges with the hub, one fetch each: connect, a tab's own poll (on the
 * JSON or the `message/http` wire), a tab group's shared poll, and the goodbye. A status other
 * than the expected one is thrown as `HubRefused`, with the hub's `Retry-After`.
 */
import { decodeWireRequest, encodeWireResponse } from '../protocol/json-codec.ts';
import type {
  ConnectBody,
  ConnectReply,
  PollReply,
  SharedPollBody,
  SharedPollReply,
} from '../protocol/long-poll-wire.ts';
import {
  ACK_HEADER,
  HELLO_HEADER,
  INSTANCE_HEADER,
  MESSAGE_HTTP,
  NDJSON,
  POLL_HEADER,
  RETRY_HEADER,
  SECRET_HEADER,
} from '../protocol/long-poll-wire.ts';
import type { ReverseRequest, ReverseResponse } from '../protocol/message.ts';
import { parseRequests, printBatch, printResponse } from '../protocol/message-http.ts';
import { bodySizeBound } from '../protocol/text-response.ts';
import { randomName } from './identity.ts';
import { DeadlineError } from './scheduling.ts';

/** A connect or poll the hub answered with another status than expected. */
export class HubRefused extends Error {
  /** The hub's `Retry-After` in milliseconds (0 when it sent none). */
  readonly retryAfterMs: number;

  constructor(
    what: string,
    readonly status: number,
    body: string,
    retryAfter: string | null,
  ) {
    super(`${what} answered ${status}: ${body}`);
    const seconds = Number(retryAfter ?? Number.NaN);
    this.retryAfterMs = Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 3_600) * 1_000 : 0;
  }
}

/** POSTs to the hub; the response when its status is `expected` (or 204, when that is allowed), else a `HubRefused`. */
async function post(what: string, url: string, init: RequestInit, expected: number, empty = false): Promise<Response> {
  const response = await fetch(url, { method: 'POST', ...init });
  if (response.status !== expected && !(empty && response.status === 204)) {
    throw new HubRefused(what, response.status, await response.text(), response.headers.get('retry-after'));
  }
  return response;
}

/** `POST {base}/connect`: the hub's reply (201). */
export async function connectToHub(base: string, body: ConnectBody, signal: AbortSignal): Promise<ConnectReply> {
  const init = { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal };
  return (await (await post('connect', `${base}/connect`, init, 201)).json()) as ConnectReply;
}

/**
 * Names polls: each name once, a random prefix and a count, so that a poll the browser sends
 * twice (see `PollBody.poll`) is known to the hub as one, and polls of another page load or
 * another leader of a tab group are not.
 */
export function pollNames(): () => string {
  const prefix = randomName().slice(0, 8);
  let count = 0;
  return () => `${prefix}.${(++count).toString(36)}`;
}

/** What a tab's own poll carries. */
export interface Poll {
  id: string;
  secret: string;
  instance: string;
  /** The `message/http` wire rather than JSON. */
  http: boolean;
  responses: ReverseResponse[];
  ack: number;
  /** Ask the hub to deliver again what may have been lost. */
  retry: boolean;
  /** This poll's own name (see `PollBody.poll`). */
  name: string;
}

/** `POST {base}/poll/{id}`: sends answers, returns the reverse requests the hub held for this client. */
export async function pollHub(base: string, poll: Poll, signal: AbortSignal): Promise<ReverseRequest[]> {
  const { http, ack, retry, responses, name } = poll;
  const response = await post(
    'poll',
    `${base}/poll/${encodeURIComponent(poll.id)}`,
    {
      headers: {
        [SECRET_HEADER]: poll.secret,
        [INSTANCE_HEADER]: poll.instance,
        'content-type': http ? MESSAGE_HTTP : 'application/json',
        accept: http ? MESSAGE_HTTP : 'application/json',
        ...(http ? { [ACK_HEADER]: String(ack), [POLL_HEADER]: name, ...(retry ? { [RETRY_HEADER]: '1' } : {}) } : {}),
      },
      body: http
        ? printBatch(responses, printResponse)
        : JSON.stringify({
            responses: responses.map(encodeWireResponse),
            ack,
            poll: name,
            ...(retry ? { retry } : {}),
          }),
      signal,
    },
    200,
  );
  return http
    ? parseRequests(new Uint8Array(await response.arrayBuffer()))
    : ((await response.json()) as PollReply).requests.map(decodeWireRequest);
}

/**
 * `POST {base}/poll`: a tab group's shared poll; each member's secret goes in `Ptth-Secret` as
 * `id=secret`. Resolves once the hub took the poll, with its replies: one, or, when `stream`
 * asked for it and the hub streams, one per line as each comes (the poll is over when they end),
 * or none (204) for answers sent with `hold: false` that the hub took for every member. A stream
 * whose first line (see `HELLO_HEADER`) does not come within `firstLineMs` fails with a
 * `LinesHeldBack`; `onTaken` is called as soon as the hub answered (it took the answers then).
 */
export async function sharedPollHub(
  base: string,
  secrets: readonly { id: string; secret: string }[],
  body: SharedPollBody,
  signal: AbortSignal,
  stream = false,
  firstLineMs = Number.POSITIVE_INFINITY,
  onTaken: () => void = () => {},
): Promise<AsyncIterable<SharedPollReply> | Iterable<SharedPollReply>> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    [SECRET_HEADER]: secrets.map(({ id, secret }) => `${id}=${secret}`).join(', '),
  };
  if (stream) headers.accept = `${NDJSON}, application/json`;
  const init = { headers, body: JSON.stringify(body), signal };
  const response = await post('shared poll', `${base}/poll`, init, 200, body.hold === false);
  // The hub took the poll's answers before it answered.
  onTaken();
  if (response.status === 204) return [];
  if (response.body !== null && response.headers.get('content-type')?.startsWith(NDJSON)) {
    const replies = lines(response.body);
    const hello = response.headers.has(HELLO_HEADER) && firstLineMs < Number.POSITIVE_INFINITY;
    return hello ? greeted(replies, firstLineMs) : replies;
  }
  return [(await response.json()) as SharedPollReply];
}

/** What a streamed poll fails with when its first line (see `HELLO_HEADER`) did not come in time. */
export class LinesHeldBack extends DeadlineError {}

/** What a streamed poll fails with when it ended before its first line (see `greeted`). */
export class StreamCut extends Error {}

/**
 * The lines of a stream whose hub writes an empty one first, at once (`HELLO_HEADER`), once
 * that one came (it is the first value, so its `at` is checked as any line's); a
 * `LinesHeldBack` when it did not within `ms`: something on the way (a proxy that buffers)
 * holds the lines back, and would hold each request as long.
 */
async function greeted(replies: AsyncGenerator<SharedPollReply>, ms: number): Promise<AsyncIterable<SharedPollReply>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LinesHeldBack(`no line of the streamed poll within ${ms} ms`)), ms);
  });
  let first: IteratorResult<SharedPollReply>;
  try {
    first = await Promise.race([replies.next(), late]);
  } finally {
    clearTimeout(timer);
  }
  // The hub writes its first line at once: a stream that ended without it was cut on the way
  // (a cut can look like a clean end), and what the hub wrote into it is lost.
  if (first.done) throw new StreamCut('the streamed poll ended before its first line: its connection was cut');
  const line = first.value;
  return (async function* () {
    try {
      yield line;
      yield* replies;
    } finally {
      // Left at the first line (an error there): the line reader lets the connection go too.
      await replies.return(undefined);
    }
  })();
}

/** The JSON values of a stream of lines (`application/x-ndjson`), each as soon as its line is whole. */
export async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<SharedPollReply> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  // When the first byte of what is buffered came; when the current flow (bytes with no pause of
  // `FLOW_PAUSE_MS`) began, and how long the lines of it so far took to come, first byte to last;
  // that time as it was at the first byte of what is buffered (see `arrivalOf`).
  let startedAt = 0;
  let flowStart = 0;
  let busy = 0;
  let behind = 0;
  let lastReadAt = Number.NEGATIVE_INFINITY;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const now = performance.now();
      if (now - lastReadAt > FLOW_PAUSE_MS) {
        flowStart = now;
        busy = 0;
      }
      lastReadAt = now;
      if (buffered === '') {
        startedAt = now;
        behind = busy;
      }
      buffered += decoder.decode(value, { stream: true });
      for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        const reply = line.trim() === '' ? null : (JSON.parse(line) as SharedPollReply);
        if (reply !== null) arrivals.set(reply, { firstByteAt: startedAt, behind });
        // Its time on the link, in this flow (a pause in it was a wait elsewhere); what follows began now.
        busy += now - Math.max(startedAt, flowStart);
        startedAt = now;
        behind = busy;
        if (reply !== null) yield reply;
      }
    }
  } finally {
    // Stops reading when the caller does (an error, an abort): the connection is let go.
    void reader.cancel().catch(() => {});
  }
  if (buffered.trim() !== '') throw new Error('the shared poll stream ended inside a line');
}

/** A pause between a stream's bytes longer than this ends what `Arrival` calls a flow. */
export const FLOW_PAUSE_MS = 1_000;

/** When a line of a streamed poll came (see `arrivalOf`), on `performance.now()`'s clock. */
export interface Arrival {
  /** When its first byte came. */
  firstByteAt: number;
  /**
   * How long the lines before it in its flow (bytes with no pause of `FLOW_PAUSE_MS`) took to
   * come, first byte to last: the most it can have waited behind them on the link.
   */
  behind: number;
}

const arrivals = new WeakMap<SharedPollReply, Arrival>();

/**
 * When a line `lines` yielded came; `undefined` for a reply that did not come from it. A line
 * with a large body may take seconds on a slow link, and the lines written meanwhile wait
 * behind it: the first byte, and the time the lines before it in the same flow of bytes took,
 * tell them from lines a proxy held back (which come after a pause, all at once).
 */
export function arrivalOf(reply: SharedPollReply): Arrival | undefined {
  return arrivals.get(reply);
}

/** `DELETE {base}/poll/{id}`: the tab leaves (best effort; `keepalive` lets it out while the page unloads); settles when done or failed. */
export function leaveHub(base: string, id: string, secret: string, instance: string): Promise<void> {
  return fetch(`${base}/poll/${encodeURIComponent(id)}`, {
    method: 'DELETE',
    headers: { [SECRET_HEADER]: secret, [INSTANCE_HEADER]: instance },
    keepalive: true,
  }).then(
    () => {},
    () => {},
  );
}

/**
 * Takes from `outbox` what fits in one upload: the hub reads at most 16 bodies' worth (of
 * `maxBodyBytes`), base64 may add a third.
 */
export function uploadBatch(outbox: ReverseResponse[], maxBodyBytes: number): ReverseResponse[] {
  return takeWithin(outbox, uploadBudget(maxBodyBytes), true).taken;
}

/** The bytes one upload may carry, counted as `takeWithin` counts them. */
export function uploadBudget(maxBodyBytes: number): number {
  return maxBodyBytes * 8;
}

/** A bound of the bytes one answer takes in an upload: its body's bound, its header fields, and room for the rest. */
function uploadSize(response: ReverseResponse): number {
  let size = bodySizeBound(response) + 512;
  // Indexed, not destructured: an iterator per field showed as 127 B per answer in the page.
  const { headers } = response;
  for (let i = 0; i < headers.length; i++) {
    const [name, value] = headers[i] as [string, string];
    size += name.length + value.length * 3 + 8;
  }
  return size;
}

/**
 * Takes from the front of `outbox` the answers that fit in `budget` bytes (see `uploadSize`),
 * and at least one when `atLeastOne` (an answer
 * too large for any upload goes alone, and the hub refuses it alone); at most `most` of them.
 * `bytes` is what they used.
 */
export function takeWithin(
  outbox: ReverseResponse[],
  budget: number,
  atLeastOne: boolean,
  most = outbox.length,
): { taken: ReverseResponse[]; bytes: number } {
  let size = 0;
  let count = 0;
  while (count < Math.min(most, outbox.length)) {
    const next = size + uploadSize(outbox[count] as ReverseResponse);
    if ((count > 0 || !atLeastOne) && next > budget) break;
    size = next;
    count++;
  }
  return { taken: outbox.splice(0, count), bytes: size };
}
