/**
 * The dev server's log: one line per event, as `key=value` text or as JSON lines. Quiet by
 * default (only the startup lines); verbose adds clients coming, going and being refused, and
 * every gateway request with its status and time.
 */
import type { Hub } from './hub.ts';
import { type AnyRequest, takesLight } from './light-request.ts';
import type { RouteHandler } from './long-poll-endpoint.ts';
import { callRoute } from './route-chain.ts';

/** What a log line says. */
export type LogEntry =
  | { event: 'listening'; url: string; gateway: string }
  | { event: 'connect'; client: string; url: string }
  | { event: 'disconnect'; client: string; reason: string }
  | { event: 'refused'; address: string; reason: string }
  | { event: 'request'; method: string; path: string; status: number; ms: number };

/** Where log entries go. */
export type Log = (entry: LogEntry) => void;

/** The two line formats. */
export type LogFormat = 'text' | 'json';

/** Options of `devLog`. */
export interface DevLogOptions {
  /** `text` (default) or `json` lines. */
  format?: LogFormat;
  /** Log clients and gateway requests too, not only the startup lines. Default `false`. */
  verbose?: boolean;
  /** Receives each line, without its newline. Default: `console.log`. */
  write?: (line: string) => void;
  /** The clock; for tests. */
  now?: () => Date;
}

/** A value in `key=value` text: bare when it is one plain word, JSON-quoted otherwise. */
function textValue(value: unknown): string {
  const text = String(value);
  return /^[\w./:@%()[\]'*,=+-]+$/.test(text) && !text.includes('"') ? text : JSON.stringify(text);
}

/** One entry as one line; `time` is an ISO timestamp. */
export function formatLogLine(entry: LogEntry, format: LogFormat, time: Date): string {
  if (format === 'json') return JSON.stringify({ time: time.toISOString(), ...entry });
  if (entry.event === 'listening') return `ptth dev server at ${entry.url}\n  gateway: ${entry.gateway}`;
  const { event, ...fields } = entry;
  const pairs = Object.entries(fields).map(([key, value]) => `${key}=${textValue(value)}`);
  return [time.toISOString(), event, ...pairs].join(' ');
}

/** A log that formats entries and drops what a quiet log does not show. */
export function devLog(options: DevLogOptions = {}): Log {
  const format = options.format ?? 'text';
  const write = options.write ?? ((line: string) => console.log(line));
  const now = options.now ?? (() => new Date());
  return (entry) => {
    if (entry.event !== 'listening' && !options.verbose) return;
    write(formatLogLine(entry, format, now()));
  };
}

/** Logs the hub's `connect`, `disconnect` and `refused` events; returns a function that stops. */
export function logHubEvents(hub: Hub, log: Log): () => void {
  const onConnect = (client: { id: string; url: string }) =>
    log({ event: 'connect', client: client.id, url: client.url });
  const onDisconnect = (client: { id: string }, reason: string) =>
    log({ event: 'disconnect', client: client.id, reason });
  const onRefused = (address: string, reason: string) => log({ event: 'refused', address, reason });
  hub.on('connect', onConnect);
  hub.on('disconnect', onDisconnect);
  hub.on('refused', onRefused);
  return () => {
    hub.off('connect', onConnect);
    hub.off('disconnect', onDisconnect);
    hub.off('refused', onRefused);
  };
}

/**
 * `handler` with each request whose path starts with `prefix` logged once answered (method,
 * path as received, status, milliseconds). Requests it passes on (`null`) are not logged.
 */
export function logRequests(handler: RouteHandler, log: Log, prefix: string): RouteHandler {
  return takesLight(async (request: AnyRequest) => {
    const started = performance.now();
    const response = await callRoute(handler, request);
    const path = new URL(request.url).pathname;
    if (response && path.startsWith(prefix)) {
      const ms = Math.round((performance.now() - started) * 10) / 10;
      log({ event: 'request', method: request.method, path, status: response.status, ms });
    }
    return response;
  });
}
