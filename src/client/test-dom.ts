/**
 * Test support: a jsdom window installed as the globals morphdom reads at load time
 * (`document`, `HTMLElement`), and morphdom loaded after them. Only tests import this file.
 */
import { JSDOM } from 'jsdom';
import type { Morph } from './dom-morph.ts';

const globalWindow = new JSDOM('<!DOCTYPE html><html><body></body></html>').window;
Object.assign(globalThis, { document: globalWindow.document, HTMLElement: globalWindow.HTMLElement });

/** morphdom, loaded once the DOM globals exist. */
export const morph: Morph = (await import('morphdom')).default;

/** A fresh jsdom document holding `html`. */
export function testDocument(html: string): Document {
  return new JSDOM(html).window.document;
}
