import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RouteHandler } from './long-poll-endpoint.ts';
import { firstAnswer } from './route-chain.ts';

const request = new Request('http://localhost/a');
const answering =
  (text: string): RouteHandler =>
  async () =>
    new Response(text);
const passing: RouteHandler = async () => null;
const orElse = () => new Response('none', { status: 404 });

describe('firstAnswer', () => {
  it('answers with the first route that answers, in order', async () => {
    const tried: string[] = [];
    const noting =
      (name: string, route: RouteHandler): RouteHandler =>
      (r) => {
        tried.push(name);
        return route(r);
      };
    const routes = [noting('a', passing), noting('b', answering('b')), noting('c', answering('c'))];
    assert.equal(await (await firstAnswer(routes, request, orElse)).text(), 'b');
    assert.deepEqual(tried, ['a', 'b']);
  });

  it('falls back to orElse when no route answers, or when there are none', async () => {
    assert.equal((await firstAnswer([passing, passing], request, orElse)).status, 404);
    assert.equal((await firstAnswer([], request, orElse)).status, 404);
  });

  it('rejects, never throws, when a route throws or rejects', async () => {
    const throwing: RouteHandler = () => {
      throw new Error('sync');
    };
    const rejecting: RouteHandler = async () => {
      throw new Error('async');
    };
    await assert.rejects(firstAnswer([throwing], request, orElse), /sync/);
    await assert.rejects(firstAnswer([passing, rejecting], request, orElse), /async/);
    await assert.rejects(
      firstAnswer([], request, () => {
        throw new Error('fallback');
      }),
      /fallback/,
    );
  });
});
