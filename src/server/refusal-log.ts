/**
 * Logging of what a hub refused: limits and access rules (`hub.limits`), refused connects and
 * answers to requests a client was never sent. A flood must not become a flood of log lines, so
 * each kind is logged at most once per `quietMs`; the next line says how many were left out
 * (`hub.stats()` has the exact counts).
 */
import type { Hub } from './hub.ts';
import type { LimitHit } from './limit-log.ts';
import type { Clock } from './rate-limit.ts';

/** Options of `logRefusals`. */
export interface RefusalLogOptions {
  /** Where lines go. Default `console.warn`. */
  write?: (line: string) => void;
  /** The least time between two lines of one kind, in ms. Default 10 s. */
  quietMs?: number;
  now?: Clock;
}

/** Logs `hub`'s refusals as they happen, throttled per kind; returns a function that stops. */
export function logRefusals(hub: Hub, options: RefusalLogOptions = {}): () => void {
  const write = options.write ?? ((line: string) => console.warn(line));
  const quietMs = options.quietMs ?? 10_000;
  const now = options.now ?? Date.now;
  const kinds = new Map<string, { at: number; left: number }>();
  const log = (kind: string, detail: string) => {
    const time = now();
    const seen = kinds.get(kind);
    if (seen && time - seen.at < quietMs) {
      seen.left++;
      return;
    }
    const left = seen?.left ? ` (${seen.left} more like this were not logged)` : '';
    kinds.set(kind, { at: time, left: 0 });
    write(`ptth: ${detail}${left}`);
  };
  const onLimited = ({ option, status, subject, detail }: LimitHit) =>
    log(option, `${status} ${detail}${subject && !detail.includes(subject) ? ` [${subject}]` : ''}`);
  const onRefused = (address: string, reason: string) =>
    log('connect', `refused a connect from ${address || 'an unknown address'}: ${reason}`);
  const onRejected = (_client: string, detail: string) => log('foreign answer', `rejected: ${detail}`);
  hub.limits.on('limited', onLimited);
  hub.on('refused', onRefused);
  hub.on('rejected', onRejected);
  return () => {
    hub.limits.off('limited', onLimited);
    hub.off('refused', onRefused);
    hub.off('rejected', onRejected);
  };
}
