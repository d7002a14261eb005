/**
 * The default sanitizer with DOMPurify bundled in: `domPurifier(window)` is ready at once.
 * `pageHandler()` instead imports DOMPurify at the first write (see `connect.ts`), so a build
 * that splits chunks (`ptth/core`) fetches it only then.
 */
import DOMPurify from 'dompurify';
import { purifier, type Sanitizer } from './sanitize.ts';

/** A sanitizer using DOMPurify on `window` (the page's, or a test DOM's). */
export function domPurifier(window: Window = globalThis as unknown as Window): Sanitizer {
  return purifier(DOMPurify, window);
}
