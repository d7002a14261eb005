import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpError } from '../protocol/http-error.ts';
import { resolveClientId } from './client-id.ts';

const ids = ['Ab3xxxxxxxxxxxxxxxxxxx', 'Ab9yyyyyyyyyyyyyyyyyyy', 'Zz1zzzzzzzzzzzzzzzzzzz'];

function failure(run: () => unknown): HttpError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof HttpError);
    return error;
  }
  assert.fail('expected an error');
}

describe('resolveClientId', () => {
  const cases: Array<[string, readonly string[], string | undefined, string]> = [
    ['a full id is itself', ids, 'Ab3xxxxxxxxxxxxxxxxxxx', 'Ab3xxxxxxxxxxxxxxxxxxx'],
    ['a unique prefix is the id it starts', ids, 'Ab9', 'Ab9yyyyyyyyyyyyyyyyyyy'],
    ['a one-letter prefix will do when unique', ids, 'Z', 'Zz1zzzzzzzzzzzzzzzzzzz'],
    ['no id names the only client', ['Only'], undefined, 'Only'],
  ];
  for (const [name, list, given, expected] of cases) {
    it(name, () => assert.equal(resolveClientId(list, given), expected));
  }

  it('an ambiguous prefix is a 409 that lists the matches', () => {
    const error = failure(() => resolveClientId(ids, 'Ab'));
    assert.equal(error.status, 409);
    assert.match(error.message, /"Ab" matches 2 clients: Ab3x+, Ab9y+; type more/);
    assert.deepEqual(error.extensions.matches, ids.slice(0, 2));
  });

  it('a prefix nothing starts with is a 404 that lists what is connected', () => {
    const error = failure(() => resolveClientId(ids, 'Q'));
    assert.equal(error.status, 404);
    assert.match(error.message, /No client id starts with "Q" \(connected: Ab3x+, Ab9y+, Zz1z+\)/);
    assert.match(failure(() => resolveClientId([], 'Q')).message, /no client is connected/);
  });

  it('no id with none or several clients connected is an error that says so', () => {
    assert.match(failure(() => resolveClientId([], undefined)).message, /No client is connected/);
    assert.match(failure(() => resolveClientId(ids, undefined)).message, /3 clients are connected; name one: Ab3/);
  });

  it('a long list of matches is cut short', () => {
    const many = Array.from({ length: 14 }, (_, i) => `id${String(i).padStart(2, '0')}`);
    assert.match(failure(() => resolveClientId(many, 'id')).message, /id09 and 4 more/);
  });
});
