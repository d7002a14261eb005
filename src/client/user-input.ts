/**
 * Keeping what the user typed when the server morphs a form. A control keeps its live value
 * (and checkedness, and chosen options) unless the server's markup for it changes: re-rendering
 * the same form never erases typing; sending a new value still sets it. What the server sent
 * last is remembered per control, because morphing writes the kept value into the control's
 * own markup (a textarea's text, an option's `selected`), which would otherwise look like a
 * change from the server on the next render. A password field whose type the server changes
 * loses what was typed.
 */

/** The server's markup of each control, as last rendered. */
const rendered = new WeakMap<Element, string>();

/** A control's state as markup says it: what the server controls. */
function markupState(element: Element): string | null {
  if (element.localName === 'input') {
    const input = element as HTMLInputElement;
    return `${input.type}|${input.getAttribute('value')}|${input.hasAttribute('checked')}`;
  }
  if (element.localName === 'textarea') return (element as HTMLTextAreaElement).defaultValue;
  if (element.localName === 'select') {
    return Array.from(
      (element as HTMLSelectElement).options,
      (option) => `${option.value}:${option.defaultSelected}`,
    ).join();
  }
  return null;
}

/** Copies the user's live state of `from` into `to`, so the morph keeps it. */
function carryOver(from: Element, to: Element): void {
  if (from.localName === 'input') {
    const live = from as HTMLInputElement;
    const next = to as HTMLInputElement;
    if (live.type === 'checkbox' || live.type === 'radio') next.checked = live.checked;
    else if (live.type !== 'file') next.value = live.value;
  } else if (from.localName === 'textarea') {
    (to as HTMLTextAreaElement).value = (from as HTMLTextAreaElement).value;
  } else {
    const live = from as HTMLSelectElement;
    Array.from((to as HTMLSelectElement).options).forEach((option, i) => {
      const current = live.options[i];
      if (current && current.value === option.value) option.selected = current.selected;
    });
  }
}

/** A morphdom `onBeforeElUpdated` hook; always lets the update go on (returns `true`). */
export function keepUserInput(fromEl: Element, toEl: Element): boolean {
  if (fromEl.localName !== toEl.localName) return true;
  const next = markupState(toEl);
  if (next === null) return true;
  const before = rendered.get(fromEl) ?? markupState(fromEl);
  rendered.set(fromEl, next);
  const fromPassword = fromEl.localName === 'input' && (fromEl as HTMLInputElement).type === 'password';
  const toPassword = toEl.localName === 'input' && (toEl as HTMLInputElement).type === 'password';
  if (fromPassword && !toPassword) return true;
  if (before === next) carryOver(fromEl, toEl);
  return true;
}
