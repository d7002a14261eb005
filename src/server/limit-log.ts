/**
 * The record of refusals by a limit or an access rule: a counter per option and a `limited`
 * event, so a server can log them and export them as metrics. Each refusal is an `HttpError`
 * whose problem document names its option (see `limits.ts`).
 */
import { EventEmitter } from 'node:events';
import type { HttpError } from '../protocol/http-error.ts';

/** One refusal, as announced by the `limited` event. */
export interface LimitHit {
  /** The option that refused (`requestsPerSecond`, `maxHeaders`, `allowedOrigins`, …). */
  option: string;
  status: number;
  /** Whom it concerns: a client id, a remote address, an origin; `''` when unknown. */
  subject: string;
  /** The error's message, as the refused party got it. */
  detail: string;
}

/** Events of a `LimitLog`. */
export interface LimitLogEvents {
  limited: [LimitHit];
}

/** Counts and announces refusals; the hub has one (`hub.limits`), the server's layers report to it. */
export class LimitLog extends EventEmitter<LimitLogEvents> {
  readonly #counts = new Map<string, number>();

  /** Counts `error` under its option and announces it. */
  record(error: HttpError, subject = ''): void {
    const option = typeof error.extensions.option === 'string' ? error.extensions.option : `status ${error.status}`;
    this.#counts.set(option, (this.#counts.get(option) ?? 0) + 1);
    this.emit('limited', { option, status: error.status, subject, detail: error.message });
  }

  /** Records `error` and returns it as the response to send. */
  refuse(error: HttpError, subject = ''): Response {
    this.record(error, subject);
    return error.toResponse();
  }

  /** Refusals so far, by option. */
  counts(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }
}
