import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REVERSE_ORIGIN } from '../protocol/fetch-convert.ts';
import { compilePattern, router } from './router.ts';

const call = (handler: (request: Request) => Response | Promise<Response>, method: string, path: string) =>
  Promise.resolve(handler(new Request(REVERSE_ORIGIN + path, { method })));

describe('router', () => {
  const app = router()
    .get('/api/items/:id', (_request, params) => Response.json(params))
    .get('/api/files/*', (_request, params) => new Response(params['*']))
    .post('/api/items', () => new Response('created', { status: 201 }))
    .all('/api/echo', (request) => new Response(request.method))
    .mount((request) => new Response(`dom ${new URL(request.url).pathname}`));

  const cases: Array<[string, string, number, string]> = [
    ['GET', '/api/items/42', 200, '{"id":"42"}'],
    ['GET', '/api/items/a%20b', 200, '{"id":"a b"}'],
    ['GET', '/api/files/a/b/c.txt', 200, 'a/b/c.txt'],
    ['POST', '/api/items', 201, 'created'],
    ['PATCH', '/api/echo', 200, 'PATCH'],
    ['HEAD', '/api/items/1', 200, ''],
    ['GET', '/html/body', 200, 'dom /html/body'],
    ['GET', '/api/items', 405, ''],
    ['DELETE', '/api/items/1', 405, ''],
  ];
  for (const [method, path, status, body] of cases) {
    it(`${method} ${path} → ${status}`, async () => {
      const response = await call(app, method, path);
      assert.equal(response.status, status);
      if (status !== 405) assert.equal(await response.text(), body);
    });
  }

  it('a path a route owns answers other methods with 405 and Allow, OPTIONS with 204', async () => {
    const response = await call(app, 'DELETE', '/api/items/1');
    assert.equal(response.headers.get('allow'), 'GET, HEAD, OPTIONS');
    const options = await call(app, 'OPTIONS', '/api/items');
    assert.equal(options.status, 204);
    assert.equal(options.headers.get('allow'), 'POST, OPTIONS');
    const both = await call(
      router()
        .options('/o', () => new Response('mine'))
        .get('/o', () => new Response('')),
      'DELETE',
      '/o',
    );
    assert.equal(both.headers.get('allow'), 'OPTIONS, GET, HEAD');
  });

  it('without a mounted handler, an unmatched path is 404 problem JSON', async () => {
    const response = await call(
      router().get('/a', () => new Response('a')),
      'GET',
      '/b',
    );
    assert.equal(response.status, 404);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
  });

  it('a bad percent-encoding in a parameter is 400', async () => {
    assert.equal((await call(app, 'GET', '/api/items/%zz')).status, 400);
  });

  it('routes are tried in the order they were added', async () => {
    const ordered = router()
      .get('/x/:any', () => new Response('first'))
      .get('/x/special', () => new Response('second'));
    assert.equal(await (await call(ordered, 'GET', '/x/special')).text(), 'first');
  });

  it('patterns must begin with / and escape regular expression characters', () => {
    assert.throws(() => compilePattern('api'), /must begin with/);
    assert.ok(compilePattern('/a.b').pattern.test('/a.b'));
    assert.ok(!compilePattern('/a.b').pattern.test('/axb'));
  });
});
