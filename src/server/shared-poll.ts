/**
 * The shared poll, `POST {endpoint}/poll`: one tab polls for every tab of its origin, so ten tabs
 * hold one connection between them instead of ten (a browser holds at most six per host on
 * HTTP/1.1, and a seventh tab's poll would wait). The poll is held on every member's session at
 * once; the first batch for any of them answers it, with whatever else is ready in that moment.
 */
import { HttpError } from '../protocol/http-error.ts';
import { encodeWireRequest } from '../protocol/json-codec.ts';
import type {
  SharedPollBody,
  SharedPollMember,
  SharedPollRefusal,
  SharedPollReply,
} from '../protocol/long-poll-wire.ts';
import { MAX_SHARED_CLIENTS, SECRET_HEADER } from '../protocol/long-poll-wire.ts';
import type { ReverseRequest, ReverseResponse } from '../protocol/message.ts';
import type { ClientSession, HeldPoll } from './client-session.ts';
import type { Hub } from './hub.ts';
import { type AnyRequest, requestGone, whenGone } from './light-request.ts';
import { ackOf, authenticateClient, decodeEntry, json, NO_ID, pollNameOf, withinLimits } from './poll-body.ts';
import { streamedPoll, wantsStream } from './streamed-poll.ts';

/** The `id=secret` pairs of a shared poll's `Ptth-Secret` header. */
export function parseSecrets(header: string | null): Map<string, string> {
  const secrets = new Map<string, string>();
  for (const pair of (header ?? '').split(',')) {
    const trimmed = pair.trim();
    if (trimmed === '') continue;
    const at = trimmed.indexOf('=');
    if (at <= 0) throw new HttpError(400, `${SECRET_HEADER} must list id=secret pairs, got "${trimmed.slice(0, 60)}"`);
    secrets.set(trimmed.slice(0, at), trimmed.slice(at + 1));
  }
  return secrets;
}

/**
 * The reply to answers sent while a streamed poll is open (`hold: false`): 204, or the refused
 * members. It waits for the next turn of the event loop, so that the requests the answers'
 * callers make at once go down the stream before it (the stream writes at the end of a turn).
 */
async function answersTaken(refused: SharedPollRefusal[]): Promise<Response> {
  await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
  return refused.length === 0 ? new Response(null, { status: 204 }) : json({ requests: [], refused });
}

/** Checks the shape of a shared poll body; the members it lists. */
function membersOf(body: unknown): SharedPollMember[] {
  const clients = (body as Partial<SharedPollBody> | null)?.clients;
  if (!Array.isArray(clients)) throw new HttpError(400, 'The shared poll body must be {"clients": [...]}');
  if (clients.length > MAX_SHARED_CLIENTS) {
    throw new HttpError(400, `A shared poll may carry ${MAX_SHARED_CLIENTS} clients, this one has ${clients.length}`);
  }
  for (const member of clients) {
    if (typeof member?.id !== 'string') throw new HttpError(400, 'Every client of a shared poll needs a string "id"');
    if (member.responses !== undefined && !Array.isArray(member.responses)) {
      throw new HttpError(400, `"responses" of client "${member.id}" must be an array`);
    }
    if (member.instance !== undefined && typeof member.instance !== 'string') {
      throw new HttpError(400, `"instance" of client "${member.id}" must be a string`);
    }
  }
  return clients as SharedPollMember[];
}

/**
 * Handles a shared poll whose JSON body is `body` (its head came at `arrivedAt`,
 * `performance.now()`): takes each member's answers, then holds the poll on all of them. A member
 * that fails its check is listed in `refused` and the poll is answered at once, so its tab can
 * connect again while the others carry on.
 */
export async function sharedPoll(
  hub: Hub,
  request: AnyRequest,
  body: unknown,
  checkRate: (id: string) => void = () => {},
  arrivedAt = performance.now(),
): Promise<Response> {
  const members = membersOf(body);
  const name = pollNameOf((body as Partial<SharedPollBody>).poll);
  const secrets = parseSecrets(request.headers.get(SECRET_HEADER));
  const sessions: { session: ClientSession; delivery: { ack: number; retry: boolean } }[] = [];
  const refused: SharedPollRefusal[] = [];
  let problem: HttpError | null = null;
  for (const member of members) {
    let session: ClientSession;
    try {
      session = await authenticateClient(hub, member.id, secrets.get(member.id) ?? '', member.instance ?? null);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      refused.push({ client: member.id, status: error.status, detail: error.message });
      continue;
    }
    checkRate(session.id);
    const delivery = { ack: ackOf(member.ack), retry: member.retry === true };
    const decoded = (member.responses ?? []).map(decodeEntry);
    const responses = decoded.filter((response): response is ReverseResponse => response !== null);
    if (responses.length < decoded.length) problem = NO_ID;
    await hub.receive(
      session,
      responses.map((response) => withinLimits(hub, session.id, response)),
    );
    sessions.push({ session, delivery });
  }
  if (problem) throw problem;
  const reply = (requests: SharedPollReply['requests']) => json({ requests, refused } satisfies SharedPollReply);
  if ((body as Partial<SharedPollBody>).hold === false) return answersTaken(refused);
  if (refused.length > 0 || sessions.length === 0 || requestGone(request)) return reply([]);
  if (wantsStream(request)) return streamedPoll(hub, request, sessions, name, arrivedAt);
  const requests = await new Promise<SharedPollReply['requests']>((resolve) => {
    const collected: SharedPollReply['requests'] = [];
    const held = new Map<ClientSession, HeldPoll>();
    let done = false;
    let gathering = false;
    const finish = () => {
      if (done) return;
      done = true;
      for (const [session, poll] of held) hub.detachPoll(session, poll);
      resolve(collected);
    };
    whenGone(request, finish);
    for (const { session, delivery } of sessions) {
      const poll: HeldPoll = {
        name,
        deliver: (batch: ReverseRequest[]) => {
          if (done || requestGone(request)) return false;
          for (const message of batch) collected.push({ ...encodeWireRequest(message), client: session.id });
          // An empty batch (the hold ran out, or another poll took over a member) ends the poll now;
          // a full one waits a moment so other members' work rides along.
          if (batch.length === 0) finish();
          else if (!gathering) {
            gathering = true;
            setImmediate(finish);
          }
          return true;
        },
      };
      held.set(session, poll);
      void hub.attachPoll(session, poll, delivery);
      if (done) break;
    }
  });
  return reply(requests);
}
