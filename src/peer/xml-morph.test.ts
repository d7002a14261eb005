import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseXml, xmlMarkup } from './xml-markup.ts';
import { xmlMorph } from './xml-morph.ts';

function fixture() {
  const document = parseXml('<r><a id="x" old="1"><b>1</b><c/></a></r>');
  const target = document.documentElement.firstChild as Element;
  const to = (xml: string) => document.importNode(parseXml(xml).documentElement, true);
  return { document, target, to };
}

describe('the XML morph', () => {
  // morphdom itself does not run on xmldom (it needs HTMLElement and other browser DOM parts).
  it('keeps an element whose name is the same, and updates its attributes and children', () => {
    const { document, target, to } = fixture();
    const result = xmlMorph(target, to('<a id="x" new="2"><b>2</b></a>'));
    assert.equal(result, target, 'the same element');
    assert.equal(xmlMarkup.serialize(document), '<r><a id="x" new="2"><b>2</b></a></r>');
  });

  it('replaces an element whose name changed, and returns the new one', () => {
    const { document, target, to } = fixture();
    const result = xmlMorph(target, to('<z/>'));
    assert.notEqual(result, target);
    assert.equal(result.parentNode, document.documentElement);
    assert.equal(xmlMarkup.serialize(document), '<r><z/></r>');
  });

  it('with childrenOnly, changes only the children', () => {
    const { document, target, to } = fixture();
    xmlMorph(target, to('<ignored other="1"><d>x</d>tail</ignored>'), { childrenOnly: true });
    assert.equal(xmlMarkup.serialize(document), '<r><a id="x" old="1"><d>x</d>tail</a></r>');
  });

  it('leaves an element alone when onBeforeElUpdated says false', () => {
    const { document, target, to } = fixture();
    xmlMorph(target, to('<a id="y"/>'), { onBeforeElUpdated: () => false });
    assert.equal(xmlMarkup.serialize(document), '<r><a id="x" old="1"><b>1</b><c/></a></r>');
  });
});
