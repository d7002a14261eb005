/**
 * The demo tour: the server drives the demo page (`index.html`) step by step. It counts the
 * counter up, edits the todo list with POST, PUT and DELETE, then watches the form and greets
 * whoever types a name, as they type. Requests go through a `PageFetch`, so the same tour runs
 * on `hub.fetch` (in-process) and through a gateway (`ptth tour`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { REVERSE_ORIGIN } from '../protocol/fetch-convert.ts';
import { pathOf } from '../protocol/paths.ts';
import type { Hub } from './hub.ts';

/** One request on the page: an XPath expression written as is, and optional body and headers. */
export type PageFetch = (
  method: string,
  xpath: string,
  init?: { body?: string; headers?: Record<string, string> },
) => Promise<Response>;

/** Options of `runTour`. */
export interface TourOptions {
  /** Receives one line per step. Default: nothing. */
  say?: (line: string) => void;
  /** Pause between steps, in ms. Default 400. */
  delayMs?: number;
  /** How long to watch the form, in ms. Default 60 s. */
  watchMs?: number;
  /** Longest wait of each watching request, in seconds. Default 20. */
  waitSeconds?: number;
  /** Ends the tour early (the form watch ends quietly). */
  signal?: AbortSignal;
}

/** A `PageFetch` on client `id` of `hub`. */
export function hubPage(hub: Hub, id: string): PageFetch {
  return (method, xpath, init = {}) =>
    hub.fetch(
      id,
      new Request(REVERSE_ORIGIN + pathOf(xpath), { method, body: init.body ?? null, headers: init.headers }),
    );
}

const HTML = { 'content-type': 'text/html' };
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'" };
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** The `value` attribute of an element's serialized start tag, unescaped; `''` without one. */
export function valueAttribute(markup: string): string {
  const match = /^<[^>]*?\svalue="([^"]*)"/.exec(markup);
  return (match?.[1] ?? '').replace(/&(amp|lt|gt|quot|#39|apos);/g, (_, name: string) => ENTITIES[name] ?? '');
}

/** The greeting the tour writes into the title for a typed name. */
export function greeting(name: string): string {
  const trimmed = name.trim();
  return `<h1 id="title">${trimmed ? `Hello, ${escapeHtml(trimmed)}!` : 'Hello from ptth'}</h1>`;
}

/** Runs the tour; resolves when the form watch ends (after `watchMs`, or when `signal` aborts). */
export async function runTour(page: PageFetch, options: TourOptions = {}): Promise<void> {
  const say = options.say ?? (() => {});
  const delayMs = options.delayMs ?? 400;
  const { signal } = options;
  // An abort ends a pause early; timers/promises takes its listener off the tour's signal after.
  const pause = (ms = delayMs) => sleep(ms, undefined, { signal }).catch(() => {});
  const step = async (method: string, xpath: string, body?: string): Promise<Response> => {
    const response = await page(method, xpath, body === undefined ? {} : { body, headers: HTML });
    const location = response.headers.get('location');
    say(`  ${method} ${xpath} → ${response.status}${location ? ` (Location: ${location})` : ''}`);
    if (!response.ok) throw new Error(`${method} ${xpath} answered ${response.status}: ${await response.text()}`);
    return response;
  };

  say('1. The title and a counter, set by PUT');
  await step('PUT', '/html/body/header/h1', '<h1 id="title">Hello from the tour</h1>');
  for (let i = 1; i <= 5 && !signal?.aborted; i++) {
    await step('PUT', "//output[@id='counter']", `<output id="counter">${i}</output>`);
    await pause(delayMs / 2);
  }

  say('2. The todo list, edited by POST, PUT and DELETE');
  for (const item of ['write the tour', 'take a screenshot', 'ship it']) {
    if (signal?.aborted) return;
    await step('POST', "//ul[@id='todo']", `<li>${item}</li>`);
    await pause();
  }
  await step('PUT', "//ul[@id='todo']/li[last()]", '<li>ship it!</li>');
  await pause();
  await step('DELETE', "//ul[@id='todo']/li[1]");
  await pause();
  const count = await (await step('GET', "count(//ul[@id='todo']/li)")).text();
  say(`  the list has ${count} items`);

  say('3. The form, watched as you type: type your name in the page');
  const watched = "//input[@id='name']";
  const deadline = Date.now() + (options.watchMs ?? 60_000);
  let current = await page('GET', watched);
  let etag = current.headers.get('etag') ?? '';
  let name = '';
  const greet = async (typed: string) => {
    name = typed;
    say(`  the user typed "${name}"`);
    await step('PUT', '/html/body/header/h1', greeting(name));
  };
  // Someone may have typed before the tour got here.
  const typed = valueAttribute(await current.text());
  if (typed) await greet(typed);
  const wait = options.waitSeconds ?? 20;
  while (!signal?.aborted && Date.now() < deadline) {
    const seconds = Math.max(1, Math.min(wait, Math.ceil((deadline - Date.now()) / 1_000)));
    try {
      current = await hold(page, watched, etag, seconds, signal);
    } catch (error) {
      if (signal?.aborted) break;
      throw error;
    }
    if (current.status === 304) continue;
    if (!current.ok) throw new Error(`watching ${watched} answered ${current.status}: ${await current.text()}`);
    etag = current.headers.get('etag') ?? '';
    const now = valueAttribute(await current.text());
    if (now !== name) await greet(now);
  }
  say('The tour is over.');
}

/** One watching GET; an abort of `signal` abandons it. */
function hold(page: PageFetch, xpath: string, etag: string, seconds: number, signal?: AbortSignal): Promise<Response> {
  const request = page('GET', xpath, { headers: { 'if-none-match': etag, prefer: `wait=${seconds}` } });
  if (!signal) return request;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    request.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
