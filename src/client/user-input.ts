/**
 * Keeping what the user typed when the server morphs a form. A control keeps its live value
 * (and checkedness) unless the new markup changes that control's `value` (or `checked`)
 * attribute: re-rendering the same form never erases typing; setting a new value still works.
 */

function sameAttribute(from: Element, to: Element, name: string): boolean {
  return from.getAttribute(name) === to.getAttribute(name);
}

/** A morphdom `onBeforeElUpdated` hook; always lets the update go on (returns `true`). */
export function keepUserInput(fromEl: Element, toEl: Element): boolean {
  if (fromEl.localName === 'input' && toEl.localName === 'input') {
    const from = fromEl as HTMLInputElement;
    const to = toEl as HTMLInputElement;
    if (from.type === 'checkbox' || from.type === 'radio') {
      if (sameAttribute(from, to, 'checked')) to.checked = from.checked;
    } else if (from.type !== 'file' && sameAttribute(from, to, 'value')) {
      to.value = from.value;
    }
  } else if (fromEl.localName === 'textarea' && toEl.localName === 'textarea') {
    const from = fromEl as HTMLTextAreaElement;
    const to = toEl as HTMLTextAreaElement;
    if (from.defaultValue === to.defaultValue) to.value = from.value;
  } else if (fromEl.localName === 'select' && toEl.localName === 'select') {
    const from = fromEl as HTMLSelectElement;
    const to = toEl as HTMLSelectElement;
    const selectedAttrs = (select: HTMLSelectElement) =>
      Array.from(select.options, (option) => option.hasAttribute('selected')).join();
    if (selectedAttrs(from) === selectedAttrs(to)) {
      Array.from(to.options).forEach((option, i) => {
        const live = from.options[i];
        if (live && live.value === option.value) option.selected = live.selected;
      });
    }
  }
  return true;
}
