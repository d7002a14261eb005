/**
 * The one-file `<script>` build: connects the page at load and exposes `window.ptth`, which is
 * also the page's devtools: `state`, `id`, `log` (the last 100 requests served), `debug` (each
 * request logged as a collapsed console group) and `fetch(path, init)` (a request run on the
 * page locally, as the server would make it). Options come from data attributes of the script
 * tag: `data-endpoint` (default: the folder the script is served from, e.g.
 * `http://127.0.0.1:8080/ptth`; a hub on another origin must list the page's origin in its
 * `allowedOrigins`), `data-wire="http"` for `message/http` batches, `data-connect="false"` to
 * connect by hand, `data-scope="#app"` to serve only that element, `data-read-only` to serve only
 * reads, `data-sanitize="false"` to write markup unsanitized, `data-shared="false"` to poll alone
 * instead of sharing one poll with the origin's other tabs, `data-debug` to start with `debug` on.
 */

import type { Handler } from './dom-resource.ts';
import * as api from './index.ts';
import type { ConnectionState, RequestRecord } from './long-poll.ts';
import { SERVE_MESSAGE, type ServesMessages, serveRequest } from './serve-request.ts';

interface PtthGlobal {
  api: typeof api;
  connect: typeof api.connect;
  /** The connection opened at load, or by the last `ptth.connect()` call. */
  connection: api.Connection | null;
  /** The connection's state; `'closed'` before any. */
  readonly state: ConnectionState;
  /** The page's client id, once connected. */
  readonly id: string | null;
  /** The most recent reverse requests served (newest last, at most 100), with `at`, when each was answered. */
  log: RequestRecord[];
  /** Log each request served as a collapsed console group (request and response). */
  debug: boolean;
  /** Runs a request on this page's handler locally; `path` is an XPath expression written as is. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

const script = document.currentScript as HTMLScriptElement | null;
const data = script?.dataset ?? {};
// Absolute, so a page on another origin that loads the script from the hub connects to that hub.
const scriptDir = script?.src ? new URL('.', script.src).href.replace(/\/$/, '') : undefined;
const on = (value: string | undefined) => value !== undefined && value !== 'false';

const pageOptions = (): api.PageOptions => ({
  ...(data.scope ? { scope: data.scope } : {}),
  ...(on(data.readOnly) ? { readOnly: true } : {}),
  ...(data.sanitize === 'false' ? { sanitize: false } : {}),
});
let handler: Handler = api.pageHandler(document, pageOptions());

/** Logs one request and its answer as a collapsed group; bodies are cut at 2,000 characters. */
async function debugged(request: Request): Promise<Response> {
  const started = performance.now();
  const sent = await request.clone().text();
  const response = await handler(request);
  const answer = (await response.clone().text()).slice(0, 2_000);
  const ms = (performance.now() - started).toFixed(1);
  let path = new URL(request.url).pathname;
  try {
    path = decodeURI(path);
  } catch {}
  console.groupCollapsed(`ptth ${request.method} ${path} → ${response.status} (${ms} ms)`);
  console.log('request', Object.fromEntries(request.headers), sent);
  console.log('response', Object.fromEntries(response.headers), answer);
  console.groupEnd();
  return response;
}

/** The page's handler as its connection sees it: logged while `debug` is on, else as it is. */
const fetchShaped = (request: Request) => (ptth.debug ? debugged(request) : handler(request));

/**
 * What the connection serves: the handler's own message path (no `Request` nor `Response` made,
 * see `SERVE_MESSAGE`) unless `debug` is on or the handler has none; else the fetch-shaped way.
 */
const served: Handler & ServesMessages = Object.assign((request: Request) => fetchShaped(request), {
  [SERVE_MESSAGE]: (message: Parameters<ServesMessages[typeof SERVE_MESSAGE]>[0]) => {
    const direct = (handler as Partial<ServesMessages>)[SERVE_MESSAGE];
    if (direct !== undefined && !ptth.debug) return direct.call(handler, message);
    // Only the DOM handler gets here (see connect), whose answers are the page's own markup: the
    // connection checks their size on what this returns.
    return serveRequest(fetchShaped, message, Number.POSITIVE_INFINITY);
  },
});

const ptth: PtthGlobal = {
  api,
  connection: null,
  log: [],
  debug: on(data.debug),
  get state() {
    return ptth.connection?.state ?? 'closed';
  },
  get id() {
    return ptth.connection?.id ?? null;
  },
  async fetch(path, init) {
    return handler(new Request(`http://ptth.invalid${api.pathOf(path)}`, init));
  },
  connect(options = {}) {
    const { handler: own, ...rest } = options;
    // The data attributes first, then what the call says.
    const settings = { ...pageOptions(), ...rest };
    handler = own ?? api.pageHandler(document, settings);
    const { onRequest } = settings;
    const connection = api.connect({
      ...((data.endpoint ?? scriptDir) ? { endpoint: data.endpoint ?? scriptDir } : {}),
      ...(data.wire === 'http' ? { wire: 'http' as const } : {}),
      ...(data.shared === 'false' ? { shared: false } : {}),
      ...settings,
      // A handler of one's own is served the fetch-shaped way, its body read within the connection's limit.
      handler: SERVE_MESSAGE in handler ? served : fetchShaped,
      dom: own === undefined,
      // The log takes each record as it is (no event made for it), and then the caller's own hook.
      onRequest: (record) => {
        ptth.log.push(record);
        if (ptth.log.length > 100) ptth.log.shift();
        onRequest?.(record);
      },
    });
    ptth.connection = connection;
    return connection;
  },
};

(globalThis as { ptth?: PtthGlobal }).ptth = ptth;
// A page that is really going away says goodbye; one kept in the back/forward cache stays.
addEventListener('pagehide', (event) => {
  if (!event.persisted) ptth.connection?.close();
});
if (data.connect !== 'false') ptth.connect();
