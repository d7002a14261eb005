/**
 * Markup indented for reading (the REPL's printed responses): an element that fits on a line,
 * or holds only text, stays on one; others get their children indented below them. Only whitespace between tags
 * changes; `pre`, `textarea`, `script` and `style` are kept as they are. It is a display aid,
 * not a parser: what it cannot make sense of is printed as it came.
 */

const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);
const VERBATIM = new Set(['pre', 'textarea', 'script', 'style']);

interface Element {
  name: string;
  start: number;
  /** End of the start tag. */
  open: number;
  /** Start of the end tag, or the end of the element's content when it has none. */
  close: number;
  end: number;
  children: Node[];
}
type Node = Element | { text: string };

/** A start tag, an end tag, a comment or a doctype at `from`. */
const TAG = /<!--[\s\S]*?-->|<![^>]*>|<\/([A-Za-z][\w:-]*)\s*>|<([A-Za-z][\w:-]*)(?:[^>"']|"[^"]*"|'[^']*')*>/y;

function parse(markup: string): Node[] {
  const root: Element = { name: '', start: 0, open: 0, close: markup.length, end: markup.length, children: [] };
  const stack: Element[] = [root];
  let at = 0;
  let textFrom = 0;
  const top = () => stack[stack.length - 1] as Element;
  const flush = (to: number) => {
    if (to > textFrom) top().children.push({ text: markup.slice(textFrom, to) });
  };
  while (at < markup.length) {
    const lt = markup.indexOf('<', at);
    if (lt < 0) break;
    TAG.lastIndex = lt;
    const match = TAG.exec(markup);
    if (!match) {
      at = lt + 1;
      continue;
    }
    const end = lt + match[0].length;
    const [, closing, opening] = match;
    if (closing !== undefined) {
      const name = closing.toLowerCase();
      let depth = stack.length - 1;
      while (depth > 0 && stack[depth]?.name !== name) depth--;
      if (depth === 0) {
        at = end;
        continue;
      }
      flush(lt);
      // Elements left open inside the one that closes end where it does, without an end tag.
      const closed = stack.splice(depth);
      for (const element of closed) element.close = element.end = lt;
      (closed[0] as Element).end = end;
    } else if (opening !== undefined) {
      flush(lt);
      const name = opening.toLowerCase();
      const element: Element = { name, start: lt, open: end, close: end, end, children: [] };
      top().children.push(element);
      if (VERBATIM.has(name)) {
        const close = markup.toLowerCase().indexOf(`</${name}`, end);
        const stop = close < 0 ? markup.length : close;
        const after = close < 0 ? stop : markup.indexOf('>', close) + 1 || markup.length;
        if (stop > end) element.children.push({ text: markup.slice(end, stop) });
        element.close = stop;
        element.end = after;
        at = textFrom = after;
        continue;
      }
      if (!VOID.has(name) && !match[0].endsWith('/>')) stack.push(element);
    } else {
      flush(lt);
      top().children.push({ text: match[0] });
    }
    at = textFrom = end;
  }
  flush(markup.length);
  for (const element of stack.slice(1)) element.end = element.close = markup.length;
  return root.children;
}

/** `markup` with elements that do not fit in `width` columns broken over indented lines. */
export function indentHtml(markup: string, width = 100): string {
  if (!markup.includes('<')) return markup;
  const lines: string[] = [];
  const walk = (nodes: Node[], indent: string) => {
    for (const node of nodes) {
      if ('text' in node) {
        const text = node.text.trim();
        if (text) lines.push(indent + text);
        continue;
      }
      const whole = markup.slice(node.start, node.end);
      const fits = !whole.includes('\n') && indent.length + whole.length <= width;
      if (fits || VERBATIM.has(node.name) || node.children.every((child) => 'text' in child)) {
        lines.push(indent + (fits ? whole : whole.trim()));
        continue;
      }
      lines.push(indent + markup.slice(node.start, node.open));
      walk(node.children, `${indent}  `);
      if (node.end > node.close) lines.push(indent + markup.slice(node.close, node.end));
    }
  };
  walk(parse(markup), '');
  return lines.join('\n');
}
