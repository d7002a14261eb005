import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { indentHtml } from './html-indent.ts';

describe('indentHtml', () => {
  const cases: Array<[string, string, string]> = [
    ['leaves an element that fits on a line as it is', '<h1 id="title">Hello</h1>', '<h1 id="title">Hello</h1>'],
    ['leaves text as it is', 'just text', 'just text'],
    [
      'puts the children of a long element on indented lines',
      '<ul id="todo"><li>read the README</li><li>curl this tab</li><li>and a third item</li></ul>',
      '<ul id="todo">\n  <li>read the README</li>\n  <li>curl this tab</li>\n  <li>and a third item</li>\n</ul>',
    ],
    [
      'keeps an element holding only text on one line, however long',
      `<div><p>${'x'.repeat(50)}</p><p>${'y'.repeat(50)}</p></div>`,
      `<div>\n  <p>${'x'.repeat(50)}</p>\n  <p>${'y'.repeat(50)}</p>\n</div>`,
    ],
    [
      'keeps void elements, comments and attributes with ">" whole',
      `<form><input value="a>b"><br><!-- a note --><label title='x>y'>${'z'.repeat(60)}</label></form>`,
      `<form>\n  <input value="a>b">\n  <br>\n  <!-- a note -->\n  <label title='x>y'>${'z'.repeat(60)}</label>\n</form>`,
    ],
    [
      'keeps pre and textarea verbatim',
      `<div><pre>a\n  b</pre><textarea>${'t'.repeat(70)}\n</textarea></div>`,
      `<div>\n  <pre>a\n  b</pre>\n  <textarea>${'t'.repeat(70)}\n</textarea>\n</div>`,
    ],
    [
      'keeps unclosed and stray tags, each top-level piece on its line',
      `<div><p>open <b>bold</div></span>${'w'.repeat(100)}`,
      `<div><p>open <b>bold</div>\n</span>${'w'.repeat(100)}`,
    ],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.equal(indentHtml(input, 80), expected));
  }
});
