/**
 * A shared poll answered as a stream (`Accept: application/x-ndjson`): the poll stays held on
 * every member's session after each batch, and each batch goes down as one line of the open
 * response as soon as it is ready. A request then reaches the page as a few bytes on a response
 * it is already reading, not as the end of one response and the start of the next: a browser
 * hands a chunk to the page sooner and for less work than it finishes a fetch. The page's
 * answers still ride on its next poll, which takes the members over and so ends this one.
 */
import { encodeWireRequest } from '../protocol/json-codec.ts';
import { HELLO_HEADER, NDJSON, type SharedPollReply } from '../protocol/long-poll-wire.ts';
import type { ReverseRequest } from '../protocol/message.ts';
import type { ClientSession, HeldPoll } from './client-session.ts';
import type { Hub } from './hub.ts';
import { type AnyRequest, requestGone, whenGone } from './light-request.ts';
import { LineResponse } from './line-response.ts';

/** Whether a shared poll asks to be streamed. */
export function wantsStream(request: AnyRequest): boolean {
  return (request.headers.get('accept') ?? '').includes(NDJSON);
}

/** A member's session and what its part of the poll acknowledged and asked for. */
export interface Seat {
  session: ClientSession;
  delivery: { ack: number; retry: boolean };
}

const HEADERS = {
  'content-type': NDJSON,
  'cache-control': 'no-store, no-transform',
  // nginx passes the lines on as they come rather than buffering the response.
  'x-accel-buffering': 'no',
  [HELLO_HEADER]: '1',
};

/**
 * Holds the poll on every seat and streams each batch as a line until a hold ends; each line's
 * `at` counts from `started`, when the poll's head came.
 */
export function streamedPoll(
  hub: Hub,
  request: AnyRequest,
  seats: readonly Seat[],
  name: string | undefined,
  started = performance.now(),
): Response {
  const response = new LineResponse({ headers: HEADERS });
  const push = (requests: SharedPollReply['requests']) => {
    const line: SharedPollReply = { requests, refused: [], at: Math.round(performance.now() - started) };
    response.push(`${JSON.stringify(line)}\n`);
  };
  // The first line, at once and with no requests (see `HELLO_HEADER`).
  push([]);
  const held = new Map<ClientSession, HeldPoll>();
  let collected: SharedPollReply['requests'] = [];
  let gathering = false;
  let done = false;
  let ending = false;
  /** A line went at the end of a moment in this turn of the event loop already. */
  let lineInTurn = false;
  const flush = () => {
    gathering = false;
    if (collected.length > 0) {
      const requests = collected;
      collected = [];
      push(requests);
    }
    if (ending) finish();
  };
  const finish = () => {
    if (done) return;
    done = true;
    stopWatching();
    for (const [session, poll] of held) hub.detachPoll(session, poll);
    flush();
    response.close();
  };
  const stopWatching = whenGone(request, finish);
  response.onCancel = finish;
  for (const { session, delivery } of seats) {
    const poll: { name: string | undefined } & HeldPoll = {
      name,
      deliver: (batch: ReverseRequest[]) => {
        if (done || requestGone(request)) return false;
        // An empty batch: the hold ran out, or another poll took this member over.
        if (batch.length === 0) {
          finish();
          return true;
        }
        for (const message of batch) collected.push({ ...encodeWireRequest(message), client: session.id });
        // The first line of a turn of the event loop goes at the end of this moment (with the
        // other members' work of the moment); what comes later in the same turn, on other
        // connections (a gateway's callers each come on their own), waits for the end of the
        // turn and goes as one line, rather than a line (and an answer post) each.
        if (!gathering) {
          gathering = true;
          if (lineInTurn) setImmediate(flush);
          else {
            lineInTurn = true;
            setImmediate(() => {
              lineInTurn = false;
            });
            process.nextTick(flush);
          }
        }
        // Held again for the next batch, while the stream is younger than a hold (each hold
        // starts over: a stream that kept going would never let a buffering proxy pass its
        // lines on, nor a dead connection's client expire). Without the name: a take under it
        // hands out again what the name was handed and is still unanswered (for a copy of the
        // poll the browser sent again, the first lost), which this stream has sent already.
        poll.name = undefined;
        if (performance.now() - started < hub.options.holdMs) void hub.attachPoll(session, poll, {});
        else ending = true;
        return true;
      },
    };
    held.set(session, poll);
    void hub.attachPoll(session, poll, delivery);
    if (done) break;
  }
  return response;
}
