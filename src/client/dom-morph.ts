/**
 * How the DOM handler morphs: morphdom's signature (injected, so a test DOM or an XML document
 * can bring its own), and the options it passes: children keyed by `id` or `data-ptth-key`,
 * subtrees under `data-ptth-ignore` left alone, what the user typed kept.
 */
import { keepUserInput } from './user-input.ts';

/** The morph options the DOM handler passes; a subset of morphdom's. */
export interface MorphOptions {
  onBeforeElUpdated?: (fromEl: HTMLElement, toEl: HTMLElement) => boolean;
  getNodeKey?: (node: Node) => unknown;
  childrenOnly?: boolean;
}

/** A morph function with morphdom's signature: turns `from` into `to`, returns the resulting node. */
export type Morph = (from: Node, to: Node, options?: MorphOptions) => Node;

/** Children of an element with this attribute are never changed by a morph (the element itself may be). */
export const IGNORE_ATTRIBUTE = 'data-ptth-ignore';
/** Besides `id`, this attribute keys children, so a morph moves them instead of rebuilding them. */
export const KEY_ATTRIBUTE = 'data-ptth-key';

/** The options of a morph of `target`; `hooks.onBeforeElUpdated` (read at each element) can skip one. */
export function morphOptions(
  hooks: { onBeforeElUpdated?: ((fromEl: HTMLElement, toEl: HTMLElement) => boolean) | undefined },
  target: Node,
  childrenOnly = false,
): MorphOptions {
  return {
    childrenOnly,
    getNodeKey: (node) => (node as Element).id || (node as Element).getAttribute?.(KEY_ATTRIBUTE) || undefined,
    onBeforeElUpdated: (fromEl, toEl) => {
      if (fromEl !== target && fromEl.hasAttribute(IGNORE_ATTRIBUTE)) return false;
      return keepUserInput(fromEl, toEl) && hooks.onBeforeElUpdated?.(fromEl, toEl) !== false;
    },
  };
}
