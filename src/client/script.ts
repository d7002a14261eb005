/**
 * The one-file `<script>` build: connects the page at load and exposes `window.ptth`.
 * Options come from data attributes of the script tag:
 * `data-endpoint` (default: the folder the script is served from, e.g. `http://127.0.0.1:8080/ptth`;
 * a hub on another origin must list the page's origin in its `allowedOrigins`),
 * `data-wire="http"` for `message/http` batches, `data-connect="false"` to connect by hand,
 * `data-scope="#app"` to serve only that element, `data-read-only` to serve only reads,
 * `data-sanitize="false"` to write markup unsanitized, `data-shared="false"` to poll alone
 * instead of sharing one poll with the origin's other tabs.
 */
import * as api from './index.ts';
import type { Connection, RequestRecord } from './long-poll.ts';

interface PtthGlobal {
  api: typeof api;
  connect: typeof api.connect;
  /** The connection opened at load, or by the last `ptth.connect()` call. */
  connection: Connection | null;
  /** The most recent reverse requests served (newest last, at most 100). */
  log: RequestRecord[];
}

const script = document.currentScript as HTMLScriptElement | null;
const data = script?.dataset ?? {};
// Absolute, so a page on another origin that loads the script from the hub connects to that hub.
const scriptDir = script?.src ? new URL('.', script.src).href.replace(/\/$/, '') : undefined;

const ptth: PtthGlobal = {
  api,
  connection: null,
  log: [],
  connect(options = {}) {
    const connection = api.connect({
      ...((data.endpoint ?? scriptDir) ? { endpoint: data.endpoint ?? scriptDir } : {}),
      ...(data.wire === 'http' ? { wire: 'http' as const } : {}),
      ...(data.scope ? { scope: data.scope } : {}),
      ...(data.readOnly !== undefined && data.readOnly !== 'false' ? { readOnly: true } : {}),
      ...(data.sanitize === 'false' ? { sanitize: false } : {}),
      ...(data.shared === 'false' ? { shared: false } : {}),
      ...options,
    });
    connection.on('request', (record) => {
      ptth.log.push(record);
      if (ptth.log.length > 100) ptth.log.shift();
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
