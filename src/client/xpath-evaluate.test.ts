import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpError } from '../protocol/http-error.ts';
import { testDocument } from './test-dom.ts';
import { COMPILED_EXPRESSIONS, documentEvaluator } from './xpath-evaluate.ts';

describe('documentEvaluator', () => {
  it('gives node sets in document order, and numbers, strings and booleans as values', () => {
    const document = testDocument('<ul><li>a</li><li>b</li></ul>');
    const evaluate = documentEvaluator(document);
    const nodes = evaluate('//li', document);
    assert.equal(nodes.type, 'nodes');
    assert.deepEqual(nodes.type === 'nodes' && nodes.nodes.map((node) => node.textContent), ['a', 'b']);
    assert.deepEqual(evaluate('count(//li)', document), { type: 'number', value: 2 });
    assert.deepEqual(evaluate('string(//li[2])', document), { type: 'string', value: 'b' });
    assert.deepEqual(evaluate('count(//li) = 2', document), { type: 'boolean', value: true });
  });

  it('evaluates a compiled expression against the DOM as it is now', () => {
    const document = testDocument('<ul><li>a</li></ul>');
    const evaluate = documentEvaluator(document);
    assert.deepEqual(evaluate('count(//li)', document), { type: 'number', value: 1 });
    const first = evaluate('//li', document);
    document.querySelector('ul')?.append(document.createElement('li'));
    assert.deepEqual(evaluate('count(//li)', document), { type: 'number', value: 2 });
    const second = evaluate('//li', document);
    assert.equal(first.type === 'nodes' && first.nodes.length, 1);
    assert.equal(second.type === 'nodes' && second.nodes.length, 2);
  });

  it('refuses an invalid expression with a 400 naming it, every time', () => {
    const document = testDocument('<p>x</p>');
    const evaluate = documentEvaluator(document);
    for (let i = 0; i < 2; i++) {
      assert.throws(
        () => evaluate('//p[', document),
        (error) => error instanceof HttpError && error.status === 400 && error.message.includes('"//p["'),
      );
    }
  });

  it(`keeps answering right past ${COMPILED_EXPRESSIONS} different expressions`, () => {
    const document = testDocument('<p>x</p>');
    const evaluate = documentEvaluator(document);
    for (let i = 0; i < COMPILED_EXPRESSIONS + 20; i++) {
      assert.deepEqual(evaluate(`count(//p) + ${i}`, document), { type: 'number', value: 1 + i });
    }
    assert.deepEqual(evaluate('count(//p) + 0', document), { type: 'number', value: 1 });
  });
});
