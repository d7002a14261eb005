/**
 * The REPL ("backdoor"): inject reverse requests into connected pages by hand and see the
 * responses. Client ids may be abbreviated to a unique prefix, or left out when only one client
 * is connected.
 */
import repl, { type REPLServer } from 'node:repl';
import { inspect } from 'node:util';
import { REVERSE_ORIGIN } from '../protocol/fetch-convert.ts';
import { reasonPhrase } from '../protocol/http-error.ts';
import { pathOf } from '../protocol/paths.ts';
import type { Hub } from './hub.ts';

/** A response as the REPL prints it: the HTTP message, status line first. */
export class PrintedResponse {
  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly headers: Record<string, string>,
    readonly body: string,
  ) {}

  [inspect.custom](): string {
    const head = Object.entries(this.headers).map(([name, value]) => `${name}: ${value}`);
    return [`HTTP/1.1 ${this.status} ${this.statusText || reasonPhrase(this.status)}`, ...head, '', this.body].join(
      '\n',
    );
  }
}

/** A request built by hand, as in the seed: `{ method, path, headers, body }`. */
export interface HandRequest {
  method?: string;
  path: string;
  headers?: Record<string, string> | Array<[string, string]>;
  body?: string;
}

/** The helpers the REPL puts in scope, usable without a REPL too (tests, scripts). */
export function replHelpers(hub: Hub) {
  const resolveId = (given?: string): string => {
    const ids = hub.clients().map((client) => client.id);
    if (given === undefined) {
      if (ids.length === 1) return ids[0] as string;
      throw new Error(ids.length === 0 ? 'No client is connected' : `${ids.length} clients are connected; name one`);
    }
    if (ids.includes(given)) return given;
    const matches = ids.filter((id) => id.startsWith(given));
    if (matches.length === 1) return matches[0] as string;
    throw new Error(
      matches.length === 0 ? `No client id starts with "${given}"` : `"${given}" matches ${matches.length} clients`,
    );
  };

  const send = async (id: string | undefined, request: HandRequest): Promise<PrintedResponse> => {
    const path = pathOf(request.path);
    const method = (request.method ?? 'GET').toUpperCase();
    const init: RequestInit = { method, headers: request.headers ?? {} };
    if (request.body !== undefined && method !== 'GET' && method !== 'HEAD') init.body = request.body;
    const response = await hub.fetch(resolveId(id), new Request(REVERSE_ORIGIN + path, init));
    return new PrintedResponse(
      response.status,
      response.statusText,
      Object.fromEntries(response.headers),
      await response.text(),
    );
  };

  const html = { 'content-type': 'text/html' };
  return {
    hub,
    /** The connected clients. */
    clients: () => hub.clients(),
    /** Sends a hand-built request (`{method, path, headers, body}`) to a client. */
    send,
    get: (id: string | undefined, xpath: string) => send(id, { path: xpath }),
    put: (id: string | undefined, xpath: string, body: string) =>
      send(id, { method: 'PUT', path: xpath, body, headers: html }),
    post: (id: string | undefined, xpath: string, body: string) =>
      send(id, { method: 'POST', path: xpath, body, headers: html }),
    del: (id: string | undefined, xpath: string) => send(id, { method: 'DELETE', path: xpath }),
  };
}

const HELP = `ptth REPL. In scope: hub, clients(), send(id, {method, path, headers, body}),
get(id, xpath), put(id, xpath, html), post(id, xpath, html), del(id, xpath).
An id may be a unique prefix, or undefined when one client is connected. Use await:
  > await get(undefined, '/html/body/header/h1')
  > await put('Ab3', '/html/body/header/h1', '<h1>Hi</h1>')`;

/** Starts the REPL on `input`/`output` (the terminal by default), announcing clients as they come and go. */
export function startRepl(
  hub: Hub,
  streams: { input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream } = {},
): REPLServer {
  const output = streams.output ?? process.stdout;
  output.write(`${HELP}\n`);
  const server = repl.start({ prompt: 'ptth> ', input: streams.input ?? process.stdin, output, useGlobal: false });
  Object.assign(server.context, replHelpers(hub), { help: HELP });
  const announce = (text: string) => {
    output.write(`\n${text}\n`);
    server.displayPrompt(true);
  };
  const onConnect = (client: { id: string; url: string }) => announce(`+ client ${client.id} ${client.url}`);
  const onDisconnect = (client: { id: string }, reason: string) => announce(`- client ${client.id} (${reason})`);
  hub.on('connect', onConnect);
  hub.on('disconnect', onDisconnect);
  server.on('exit', () => {
    hub.off('connect', onConnect);
    hub.off('disconnect', onDisconnect);
  });
  return server;
}
