/**
 * The REPL ("backdoor"): inject reverse requests into connected pages by hand and see the
 * responses. Client ids may be abbreviated to a unique prefix, or left out when only one client
 * is connected; Tab completes them and the helpers' names. History is kept across runs.
 */

import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import type { REPLServer } from 'node:repl';
import { REVERSE_ORIGIN } from '../protocol/fetch-convert.ts';
import { pathOf } from '../protocol/paths.ts';
import { resolveClientId } from './client-id.ts';
import type { Hub } from './hub.ts';
import { installed, launch, opener } from './open-url.ts';
import { PrintedResponse } from './printed-response.ts';
import { type Completion, completeId, completeName, mergeCompletions } from './repl-complete.ts';
import { canKeepHistory, historyPath } from './repl-history.ts';

export { PrintedResponse };

/** A request built by hand, as in the seed: `{ method, path, headers, body }`. */
export interface HandRequest {
  method?: string;
  path: string;
  headers?: Record<string, string> | Array<[string, string]>;
  body?: string;
}

/** The helpers the REPL puts in scope, usable without a REPL too (tests, scripts). */
export function replHelpers(hub: Hub, print: (line: string) => void = (line) => console.log(line)) {
  const resolveId = (given?: string): string =>
    resolveClientId(
      hub.clients().map((client) => client.id),
      given,
    );

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
    patch: (id: string | undefined, xpath: string, body: string) =>
      send(id, { method: 'PATCH', path: xpath, body, headers: html }),
    del: (id: string | undefined, xpath: string) => send(id, { method: 'DELETE', path: xpath }),
    /** Prints the page's URL (and opens it where a browser can show); returns the URL. */
    open: (id?: string): string => {
      const url = hub.session(resolveId(id))?.info().url ?? '';
      const command = opener(process.platform, process.env, installed);
      print(command ? `opening ${url}` : `open ${url} in a browser`);
      if (command && url) launch(command, url);
      return url;
    },
  };
}

/** The names `replHelpers` puts in scope, for completion. */
export const HELPER_NAMES = ['clients', 'send', 'get', 'put', 'post', 'patch', 'del', 'open', 'hub', 'help'];

const HELP = `ptth REPL. In scope: hub, clients(), send(id, {method, path, headers, body}),
get(id, xpath), put(id, xpath, html), post(id, xpath, html), patch(id, xpath, html),
del(id, xpath), open(id). An id may be a unique prefix (Tab completes it), or undefined when
one client is connected. Use await:
  > await get(undefined, '/html/body/header/h1')
  > await put('Ab3', '/html/body/header/h1', '<h1>Hi</h1>')`;

/** Options of `startRepl`. */
export interface ReplOptions {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Whether the input is a terminal (line editing, colors, completion); default: the output's `isTTY`. */
  terminal?: boolean;
  /** Announce clients as they come and go. Default `true`. */
  announce?: boolean;
  /** Where history is kept; `null` for none. Default `~/.ptth_repl_history` (`PTTH_REPL_HISTORY`). */
  historyFile?: string | null;
}

/** Starts the REPL on `input`/`output` (the terminal by default), announcing clients as they come and go. */
export function startRepl(hub: Hub, options: ReplOptions = {}): REPLServer {
  const output = options.output ?? process.stdout;
  output.write(`${HELP}\n`);
  // Loaded only here: importing node:repl loads node:domain, which slows every EventEmitter
  // of the process (a server that never opens the REPL should not pay for it).
  const repl = createRequire(import.meta.url)('node:repl') as typeof import('node:repl');
  const server = repl.start({
    prompt: 'ptth> ',
    input: options.input ?? process.stdin,
    output,
    useGlobal: false,
    ...(options.terminal !== undefined ? { terminal: options.terminal } : {}),
  });
  const announce = (text: string) => {
    output.write(`\n${text}\n`);
    server.displayPrompt(true);
  };
  Object.assign(
    server.context,
    replHelpers(hub, (line) => output.write(`${line}\n`)),
    { help: HELP },
  );

  // Node's completer stays for properties and globals; ours adds client ids and helper names.
  type AsyncCompleter = (line: string, callback: (error: Error | null, result?: Completion) => void) => void;
  const completable = server as unknown as { completer: AsyncCompleter };
  const nodeCompleter = completable.completer;
  completable.completer = (line, callback) => {
    const ids = completeId(
      line,
      hub.clients().map((client) => client.id),
    );
    if (ids) return callback(null, ids);
    const names = completeName(line, HELPER_NAMES);
    nodeCompleter.call(server, line, (error, theirs) =>
      callback(null, mergeCompletions(names, error ? null : (theirs ?? null)) ?? [[], line]),
    );
  };

  const file = options.historyFile === undefined ? historyPath(process.env, homedir()) : options.historyFile;
  // History is for a person at a terminal; off when the file cannot be written (a read-only
  // home, a sandbox), never an error.
  if (server.terminal && file && canKeepHistory(file)) server.setupHistory(file, () => {});

  const onConnect = (client: { id: string; url: string }) => announce(`+ client ${client.id} ${client.url}`);
  const onDisconnect = (client: { id: string }, reason: string) => announce(`- client ${client.id} (${reason})`);
  if (options.announce !== false) {
    hub.on('connect', onConnect);
    hub.on('disconnect', onDisconnect);
  }
  server.on('exit', () => {
    hub.off('connect', onConnect);
    hub.off('disconnect', onDisconnect);
  });
  return server;
}
