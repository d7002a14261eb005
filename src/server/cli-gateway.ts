/**
 * The CLI's side of a running server: lists its clients and makes requests on a page through
 * its gateway, with the token as a Bearer credential. Failing to reach the server is a
 * `CliError` with exit code 7.
 */
import { DEFAULT_ENDPOINT } from '../protocol/long-poll-wire.ts';
import { pathOf } from '../protocol/paths.ts';
import { CliError, EXIT } from './cli-args.ts';
import { resolveClientId } from './client-id.ts';
import type { ClientInfo } from './client-session.ts';

/** Where the CLI finds the server when neither `--url` nor `PTTH_URL` says. */
export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** The exit code for a response status: 0, or 4/5 for 4xx/5xx. */
export function exitCodeOf(status: number): number {
  if (status >= 500) return EXIT.serverError;
  if (status >= 400) return EXIT.clientError;
  return EXIT.ok;
}

/** One line saying what went wrong with a 4xx/5xx answer, from its problem `detail` when it has one. */
export function failureLine(response: Response, body: string): string {
  const head = `${response.status} ${response.statusText}`.trim();
  let detail = body.trim();
  try {
    const problem = JSON.parse(body) as { detail?: unknown };
    if (typeof problem.detail === 'string') detail = problem.detail;
  } catch {}
  return detail ? `${head}: ${detail.length > 500 ? `${detail.slice(0, 500)}…` : detail}` : head;
}

/** A running server's gateway, as the CLI talks to it. */
export class GatewayClient {
  readonly base: string;
  readonly #token: string | undefined;
  readonly #signal: AbortSignal | undefined;

  constructor(options: { url?: string; token?: string; signal?: AbortSignal } = {}) {
    const url = options.url || DEFAULT_URL;
    try {
      this.base = new URL(url).href.replace(/\/+$/, '');
    } catch {
      throw new CliError(`--url must be a URL such as ${DEFAULT_URL}, got "${url}"`, EXIT.usage);
    }
    this.#token = options.token || undefined;
    this.#signal = options.signal;
  }

  /** The gateway URL of `xpath` on client `id`. */
  urlOf(id: string, xpath: string): string {
    return `${this.base}${DEFAULT_ENDPOINT}/clients/${encodeURIComponent(id)}${pathOf(xpath)}`;
  }

  /** A fetch with the token, whose network failures become exit code 7. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#token) headers.set('authorization', `Bearer ${this.#token}`);
    try {
      return await fetch(url, { ...init, headers, ...(this.#signal ? { signal: this.#signal } : {}) });
    } catch (error) {
      if (this.#signal?.aborted) throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
      throw new CliError(
        `cannot reach the ptth server at ${this.base} (${why}); is "ptth serve" running there? (--url, PTTH_URL)`,
        EXIT.unreachable,
      );
    }
  }

  /** The connected clients. */
  async clients(): Promise<ClientInfo[]> {
    const response = await this.fetch(`${this.base}${DEFAULT_ENDPOINT}/clients`);
    const body = await response.text();
    if (!response.ok)
      throw new CliError(`listing clients: ${failureLine(response, body)}`, exitCodeOf(response.status));
    try {
      return JSON.parse(body) as ClientInfo[];
    } catch {
      throw new CliError(`${this.base} answered GET ${DEFAULT_ENDPOINT}/clients with something else than JSON`);
    }
  }

  /** The full id of a client named by a unique prefix (or by nothing, when only one is connected). */
  async resolve(given?: string): Promise<string> {
    const ids = (await this.clients()).map((client) => client.id);
    try {
      return resolveClientId(ids, given);
    } catch (error) {
      throw new CliError(error instanceof Error ? error.message : String(error));
    }
  }

  /** Makes a request on `xpath` of client `id`. */
  request(id: string, xpath: string, init: RequestInit = {}): Promise<Response> {
    return this.fetch(this.urlOf(id, xpath), init);
  }
}
