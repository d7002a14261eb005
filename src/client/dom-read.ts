/**
 * The DOM handler's reads: GET and HEAD answer the representation of what an XPath selects (its
 * markup, text, or JSON when asked), with an ETag and the conditions on it; a GET with
 * `If-None-Match` and `Prefer: wait` watches it, answering when it changes or the wait ends.
 */
import type { Answer, Later } from './dom-answer.ts';
import { reply } from './dom-answer.ts';
import type { DomMarkup } from './dom-markup.ts';
import { type DomRequest, selectsNothing, wantsJson } from './dom-request.ts';
import { jsonValue, serializeValue } from './dom-serialize.ts';
import { preferredWait } from './dom-watch.ts';
import { etagOf, ifMatch, noneMatchHits, preconditions } from './etag.ts';
import type { XPathEvaluator, XPathValue } from './xpath-evaluate.ts';

/** Answers a GET (`head` false) or a HEAD of `value`, what `expression` selects. */
export type DomRead = (request: DomRequest, expression: string, value: XPathValue, head: boolean) => Answer | Later;

/** The reads of one DOM handler. */
export function domReads(document: Document, markup: DomMarkup, evaluate: XPathEvaluator, maxWait: number): DomRead {
  const serializeNode = markup.serialize;

  function representation(request: DomRequest, value: XPathValue): { body: string; contentType: string } {
    if (wantsJson(request))
      return { body: JSON.stringify(jsonValue(value, serializeNode)), contentType: 'application/json' };
    return serializeValue(value, serializeNode, markup.type);
  }

  function read(request: DomRequest, expression: string, value: XPathValue, head: boolean): Answer | Later {
    const empty = value.type === 'nodes' && value.nodes.length === 0;
    if (empty && request.headers.get('if-match') === null) throw selectsNothing(expression);
    const { body, contentType } = representation(request, value);
    const etag = empty ? null : etagOf(body);
    const match = request.headers.get('if-match');
    if (match !== null && !ifMatch(match, etag)) preconditions(request, etag);
    const headers: Record<string, string> = { etag: etag ?? '', vary: 'Accept' };
    if (value.type === 'nodes') headers['ptth-match-count'] = String(value.nodes.length);
    const noneMatch = request.headers.get('if-none-match');
    if (noneMatch !== null && noneMatchHits(noneMatch, etag)) {
      const wait = head ? 0 : preferredWait(request, maxWait);
      if (wait === 0) return { status: 304, headers, body: null };
      return { later: watch(request, expression, etag as string, wait) };
    }
    if (!head) return reply(body, contentType, 200, headers);
    const length = String(new TextEncoder().encode(body).length);
    return { status: 200, headers: { 'content-type': contentType, 'content-length': length, ...headers }, body: null };
  }

  async function watch(request: DomRequest, expression: string, etag: string, wait: number): Promise<Answer> {
    const current = () => {
      try {
        const value = evaluate(expression, document);
        return value.type === 'nodes' && value.nodes.length === 0 ? '' : etagOf(representation(request, value).body);
      } catch {
        return '';
      }
    };
    const changed = await markup.waitForChange(document, current, etag, wait * 1000);
    const applied = { 'preference-applied': `wait=${wait}`, vary: 'Accept' };
    // Some changes fire nothing (a script setting input.value): look once more before a 304.
    if (!changed && current() === etag) return { status: 304, headers: { etag, ...applied }, body: null };
    const value = evaluate(expression, document);
    if (value.type === 'nodes' && value.nodes.length === 0) throw selectsNothing(expression);
    const { body, contentType } = representation(request, value);
    return reply(body, contentType, 200, { etag: etagOf(body), ...applied });
  }

  return read;
}
