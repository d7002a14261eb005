import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Completion, completeId, completeName, mergeCompletions } from './repl-complete.ts';

const ids = ['Xq3aaaaaaaaaaaaaaaaaaa', 'Xq9bbbbbbbbbbbbbbbbbbb', 'Zz1ccccccccccccccccccc'];
const names = ['clients', 'send', 'get', 'put', 'post', 'patch', 'del', 'open', 'hub'];

describe('REPL completion', () => {
  const idCases: Array<[string, Completion | null]> = [
    ["await get('Z", [["Zz1ccccccccccccccccccc'"], 'Z']],
    ['get("Xq', [['Xq3aaaaaaaaaaaaaaaaaaa', 'Xq9bbbbbbbbbbbbbbbbbbb'], 'Xq']],
    ["put( 'Xq9", [["Xq9bbbbbbbbbbbbbbbbbbb'"], 'Xq9']],
    ["open('", [ids, '']],
    ["get('Q", [[], 'Q']],
    ["get('Zz1', '/html", null],
    ['get(', null],
  ];
  for (const [line, expected] of idCases) {
    it(`completes client ids in a first argument: ${line}`, () => assert.deepEqual(completeId(line, ids), expected));
  }

  const nameCases: Array<[string, Completion | null]> = [
    ['p', [['put', 'post', 'patch'], 'p']],
    ['await g', [['get'], 'g']],
    ['x = cl', [['clients'], 'cl']],
    ['hub.cl', null],
    ['zzz', null],
    ['1 + ', null],
  ];
  for (const [line, expected] of nameCases) {
    it(`completes helper names on a bare word: ${JSON.stringify(line)}`, () =>
      assert.deepEqual(completeName(line, names), expected));
  }

  it('merges our names with Node’s for the same word, ours first and without duplicates', () => {
    assert.deepEqual(mergeCompletions([['put', 'post'], 'p'], [['', 'parseInt', 'post', 'process'], 'p']), [
      ['put', 'post', 'parseInt', 'process'],
      'p',
    ]);
    assert.deepEqual(mergeCompletions(null, [['x'], 'x']), [['x'], 'x']);
    assert.deepEqual(mergeCompletions([['get'], 'g'], null), [['get'], 'g']);
    assert.deepEqual(mergeCompletions([['get'], 'g'], [['getter'], 'hub.g']), [['get'], 'g']);
  });
});
