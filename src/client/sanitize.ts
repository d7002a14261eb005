/**
 * Sanitizing what the server writes into the page, with DOMPurify (a well-kept sanitizer, not
 * home-made regexes): no `<script>`, no `on*` handler attributes, no `javascript:` URLs. Written
 * attributes are checked by the same rules. This module takes DOMPurify as an argument, so that
 * it can be loaded when first needed (see `connect.ts` and `dom-purifier.ts`).
 */
import type DOMPurify from 'dompurify';
import { HttpError } from '../protocol/http-error.ts';

/** Cleans an element's content (and the element) in place. */
export type Sanitizer = (container: Element) => void;

/**
 * A sanitizer loaded when first needed (the DOM handler awaits it before the first write that
 * carries markup); `pageHandler()` loads DOMPurify this way.
 */
export interface LazySanitizer {
  load(): Promise<Sanitizer>;
}

/** A sanitizer using `purify` (DOMPurify's factory) on `window`. */
export function purifier(purify: typeof DOMPurify, window: Window): Sanitizer {
  const instance = purify(window as unknown as Parameters<typeof DOMPurify>[0]);
  return (container) => {
    try {
      // SANITIZE_DOM off: it drops ids and names such as id="title" or name="name" (they shadow
      // document or form properties), which server-rendered pages use all the time. Script
      // stays out either way.
      instance.sanitize(container, { IN_PLACE: true, SANITIZE_DOM: false });
    } catch (error) {
      throw new HttpError(
        422,
        `The body cannot be made safe: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
}

/** Cleans nodes by holding them in a `<div>` of their own (inert) document; returns what is left. */
export function sanitizeNodes(sanitize: Sanitizer, nodes: Node[], owner: Document): Node[] {
  const holder = owner.createElement('div');
  holder.append(...nodes);
  sanitize(holder);
  return Array.from(holder.childNodes);
}

const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'srcdoc', 'data', 'poster']);

/** Refuses (403) writing an attribute that could run script: `on*` handlers, `javascript:` URLs. */
export function checkAttribute(name: string, value: string): void {
  const lower = name.toLowerCase();
  if (lower.startsWith('on')) {
    throw new HttpError(403, `Writing the event handler attribute "${name}" is not allowed (sanitizing is on)`);
  }
  // Browsers ignore control characters and spaces inside the scheme: "java\tscript:" runs too.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  const scheme = value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
  if (URL_ATTRIBUTES.has(lower) && (scheme.startsWith('javascript:') || scheme.startsWith('vbscript:'))) {
    throw new HttpError(403, `Writing a script URL into "${name}" is not allowed (sanitizing is on)`);
  }
  if (lower === 'srcdoc') throw new HttpError(403, 'Writing "srcdoc" is not allowed (sanitizing is on)');
}

/** Removes the attributes `checkAttribute` would refuse from one element (a parsed `<body>` root). */
export function dropScriptAttributes(element: Element): void {
  for (const attr of Array.from(element.attributes)) {
    try {
      checkAttribute(attr.name, attr.value);
    } catch {
      element.removeAttribute(attr.name);
    }
  }
}
