/**
 * A response as the REPL prints it: the HTTP message, status line first, the status colored by
 * its class when the terminal has colors, HTML indented and JSON pretty-printed for reading.
 * The object keeps what was received: `status`, `headers`, `body` (the text as it came).
 */
import { inspect } from 'node:util';
import { reasonPhrase } from '../protocol/http-error.ts';
import { indentHtml } from './html-indent.ts';

type Color = keyof typeof inspect.colors;

function paint(text: string, color: Color, on: boolean): string {
  const codes = inspect.colors[color];
  return on && codes ? `\u001b[${codes[0]}m${text}\u001b[${codes[1]}m` : text;
}

/** The color of a status: green 2xx, cyan 3xx, yellow 4xx, red 5xx. */
export function statusColor(status: number): Color {
  if (status >= 500) return 'red';
  if (status >= 400) return 'yellow';
  if (status >= 300) return 'cyan';
  return 'green';
}

/** The body made readable by its media type: indented HTML, pretty JSON, other text as it is. */
export function readableBody(body: string, contentType: string): string {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'text/html' || type === 'application/xhtml+xml') return indentHtml(body);
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      return JSON.stringify(JSON.parse(body), null, 2);
    } catch {}
  }
  return body;
}

/** A response as the REPL prints it; see the module comment. */
export class PrintedResponse {
  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly headers: Record<string, string>,
    readonly body: string,
  ) {}

  /** Whether the status is 2xx. */
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** The body parsed as JSON. */
  json(): unknown {
    return JSON.parse(this.body);
  }

  /** The message, colored when `colors` (the REPL passes its terminal's setting). */
  format(colors = false): string {
    const status = `${this.status} ${this.statusText || reasonPhrase(this.status)}`.trimEnd();
    const head = Object.entries(this.headers).map(([name, value]) => `${paint(name, 'gray', colors)}: ${value}`);
    const body = readableBody(this.body, this.headers['content-type'] ?? '');
    return [`HTTP/1.1 ${paint(status, statusColor(this.status), colors)}`, ...head, '', body].join('\n');
  }

  [inspect.custom](_depth: number, options: { colors?: boolean }): string {
    return this.format(options.colors === true);
  }
}
