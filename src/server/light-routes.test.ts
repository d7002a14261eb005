/**
 * ptth's own routes answer light requests exactly as they answer real ones: the same steps are
 * sent over sockets to a dev app served as it is (light requests, no `Request` made) and to the
 * same app behind a wrapper of one's own (which gets real `Request`s), and every answer must match.
 */
import assert from 'node:assert/strict';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { devApp } from './dev-server.ts';
import { Hub } from './hub.ts';
import type { HubOptions } from './hub-types.ts';
import { LightRequest } from './light-request.ts';
import type { FetchHandler } from './node-adapter.ts';
import { createNodeServer } from './node-server.ts';

const HOST = 'localhost:8080';
const PAGE = 'http://localhost:3000';
const TOKEN = 'secret-token';

/** Every `Request` the adapter makes for a light request goes through `toRequest`: count them. */
let materialized = 0;
const toRequest = LightRequest.prototype.toRequest;
LightRequest.prototype.toRequest = function (this: LightRequest) {
  materialized++;
  return toRequest.call(this);
};
after(() => {
  LightRequest.prototype.toRequest = toRequest;
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface Call {
  method?: string;
  path: string;
  /** Raw fields, as `rawHeaders`: repeats and case kept. Host is added unless given. */
  fields?: string[];
  body?: string;
}

function send(port: number, call: Call, onSocket?: (destroy: () => void) => void): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: call.method ?? 'GET',
        path: call.path,
        headers: call.fields?.includes('Host') ? call.fields : ['Host', HOST, ...(call.fields ?? [])],
        setHost: false,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('latin1');
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => {
          const { date: _, ...headers } = res.headers;
          resolve({ status: res.statusCode ?? 0, headers, body });
        });
      },
    );
    req.on('error', reject);
    onSocket?.(() => req.destroy());
    req.end(call.body);
  });
}

/** What one server did: each step's answer, with the client's id and secret (random per hub) named. */
interface Run {
  answers: Answer[];
  materialized: number;
}

/** The steps, sent in turn to a server on `port` whose hub is `hub`. */
async function steps(port: number, hub: Hub): Promise<Answer[]> {
  const answers: Answer[] = [];
  // In the order sent, whenever each answer comes.
  const step = async (call: Call) => {
    const at = answers.push({ status: 0, headers: {}, body: '' }) - 1;
    const answer = await send(port, call);
    answers[at] = answer;
    return answer;
  };
  const json = ['Content-Type', 'application/json'];
  const connected = await step({
    method: 'POST',
    path: '/ptth/connect',
    fields: json,
    body: '{"url":"http://page.test/","dom":true}',
  });
  const { id, secret } = JSON.parse(connected.body) as { id: string; secret: string };
  const auth = ['Ptth-Secret', secret, ...json];
  await step({ path: '/ptth/connect' });
  await step({ method: 'POST', path: '/ptth/connect', fields: json, body: 'x'.repeat(70_000) });
  await step({ method: 'POST', path: '/ptth/connect', fields: json, body: '{nope' });
  await step({ method: 'POST', path: `/ptth/poll/${id}`, fields: ['Ptth-Secret', 'wrong', ...json], body: '{}' });
  await step({ method: 'POST', path: '/ptth/poll/nobody', fields: auth, body: '{}' });
  await step({ method: 'POST', path: `/ptth/poll/${id}`, fields: auth, body: '{"responses": 3}' });
  await step({ path: `/ptth/poll/${id}` });
  await step({ method: 'POST', path: `/ptth/poll/${id}`, fields: auth, body: '{"responses":[],"ack":0}' });
  await step({ method: 'POST', path: `/ptth/poll/${id}`, fields: [...auth, 'Accept', 'message/http'], body: '' });
  await step({ path: '/ptth/poll' });
  await step({ method: 'POST', path: '/ptth/poll', fields: ['Ptth-Secret', 'garbage', ...json], body: '{}' });
  await step({
    method: 'POST',
    path: '/ptth/poll',
    fields: ['Ptth-Secret', `${id}=${secret}`, ...json],
    body: JSON.stringify({ clients: [{ id }, { id: 'nobody' }] }),
  });
  // Pages on other origins: listed (CORS), and not.
  const cross = ['Origin', PAGE, 'Sec-Fetch-Site', 'same-site'];
  await step({
    method: 'OPTIONS',
    path: `/ptth/poll/${id}`,
    fields: [...cross, 'Access-Control-Request-Method', 'POST', 'Access-Control-Request-Private-Network', 'true'],
  });
  await step({ method: 'POST', path: `/ptth/poll/${id}`, fields: [...auth, ...cross], body: '{"responses":[]}' });
  await step({ method: 'POST', path: '/ptth/connect', fields: ['Origin', 'http://evil.test', ...json], body: '{}' });
  await step({ path: '/ptth/clients', fields: ['Origin', PAGE, 'Authorization', `Bearer ${TOKEN}`] });
  // The gateway: token, list, unknown client, wrong method.
  const bearer = ['Authorization', `Bearer ${TOKEN}`];
  await step({ path: '/ptth/clients' });
  await step({ path: '/ptth/clients', fields: bearer });
  await step({ method: 'POST', path: '/ptth/clients', fields: bearer });
  await step({ path: `/ptth/clients/${id}`, fields: bearer });
  await step({ path: '/ptth/clients/nobody/html', fields: bearer });
  await step({ path: `/ptth/clients/${id}//li[`, fields: bearer });
  // A gateway call a page answers: what the page is sent, and what the caller gets.
  const call = step({
    method: 'POST',
    path: `/ptth/clients/${id}/html/body?x=1&y='2'`,
    fields: [
      ...bearer,
      'Content-Type',
      'text/html',
      'X-Twice',
      'a',
      'x-twice',
      'b',
      'Cookie',
      'c=1',
      'Connection',
      'close, X-Drop',
      'X-Drop',
      'gone',
      'Ptth-Remote-Address',
      'forged',
      'Accept',
      'text/html',
    ],
    body: '<p>hi</p>',
  });
  const polled = await step({ method: 'POST', path: `/ptth/poll/${id}`, fields: auth, body: '{"responses":[]}' });
  const [asked] = (JSON.parse(polled.body) as { requests: { id: string; seq: number }[] }).requests;
  assert.ok(asked, 'the page is sent the call');
  const reply = { id: asked.id, status: 201, headers: [['location', '/html/body/p[2]']], body: 'made' };
  await step({
    method: 'POST',
    path: `/ptth/poll/${id}`,
    fields: auth,
    body: JSON.stringify({ responses: [reply], ack: asked.seq }),
  });
  await call;
  // Limits: header fields (431, by the adapter), polls per second (429).
  await step({ path: '/ptth/clients', fields: Array.from({ length: 30 }, (_, i) => [`X-${i}`, 'v']).flat() });
  for (let i = 0; i < 3; i++) await step({ method: 'POST', path: `/ptth/poll/${id}`, fields: auth, body: '{}' });
  // The rest of the endpoint, a page outside it, and leaving.
  await step({ path: '/ptth/reverse', fields: bearer });
  await step({ path: '/ptth/nothing-here' });
  await step({ path: '/ptth/poll/x', fields: ['Host', 'evil.test'] });
  await step({ method: 'DELETE', path: `/ptth/poll/${id}`, fields: ['Ptth-Secret', 'wrong'] });
  await step({ method: 'DELETE', path: `/ptth/poll/${id}`, fields: ['Ptth-Secret', secret] });
  assert.equal(hub.session(id), undefined, 'the page has left');
  const named = (text: string) =>
    text
      .replaceAll(id, '{id}')
      .replaceAll(secret, '{secret}')
      .replaceAll(asked.id, '{call}')
      .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '{time}');
  return answers.map((answer) => JSON.parse(named(JSON.stringify(answer))) as Answer);
}

const HUB: HubOptions = { holdMs: 100, expireMs: 60_000, maxHeaders: 20, pollsPerSecond: 0.001, pollBurst: 8 };

async function serve(handler: FetchHandler, hub: Hub): Promise<Server> {
  const server = createNodeServer(handler, { maxHeaders: hub.options.maxHeaders });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** The steps on a dev app served as it is (`light`), or behind a fetch-shaped wrapper. */
async function run(light: boolean): Promise<Run> {
  const hub = new Hub(HUB);
  const app = devApp(hub, { allowedOrigins: [PAGE], token: TOKEN });
  const server = await serve(light ? app : (request) => app(request), hub);
  const before = materialized;
  try {
    const answers = await steps((server.address() as AddressInfo).port, hub);
    return { answers, materialized: materialized - before };
  } finally {
    hub.close();
    server.closeAllConnections();
    server.close();
  }
}

describe('light requests on the hot routes', () => {
  it('get every answer a real Request gets, and no Request is made for them', async () => {
    const light = await run(true);
    const real = await run(false);
    assert.equal(light.answers.length, real.answers.length);
    for (const [i, answer] of light.answers.entries()) assert.deepEqual(answer, real.answers[i], `step ${i + 1}`);
    const statuses = new Set(light.answers.map((answer) => answer.status));
    for (const status of [200, 201, 204, 400, 401, 403, 404, 405, 413, 426, 429, 431]) {
      assert.ok(statuses.has(status), `a step answered ${status}`);
    }
    assert.equal(light.materialized, 0);
    assert.ok(real.materialized >= real.answers.length - 1);
  });

  it("materialize a Request when one reaches a route of one's own", async () => {
    const hub = new Hub(HUB);
    const server = await serve(devApp(hub), hub);
    try {
      const before = materialized;
      const answer = await send((server.address() as AddressInfo).port, { path: '/' });
      assert.equal(answer.status, 200);
      assert.equal(materialized - before, 1);
    } finally {
      hub.close();
      server.closeAllConnections();
      server.close();
    }
  });

  for (const shared of [false, true]) {
    it(`let go of a held ${shared ? 'shared ' : ''}poll whose connection closes`, async () => {
      const hub = new Hub({ holdMs: 60_000, expireMs: 60_000 });
      const server = await serve(devApp(hub), hub);
      const port = (server.address() as AddressInfo).port;
      try {
        const fields = ['Content-Type', 'application/json'];
        const connected = await send(port, { method: 'POST', path: '/ptth/connect', fields, body: '{}' });
        const { id, secret } = JSON.parse(connected.body) as { id: string; secret: string };
        let destroy = () => {};
        const held = send(
          port,
          shared
            ? {
                method: 'POST',
                path: '/ptth/poll',
                fields: ['Ptth-Secret', `${id}=${secret}`, ...fields],
                body: JSON.stringify({ clients: [{ id }] }),
              }
            : {
                method: 'POST',
                path: `/ptth/poll/${id}`,
                fields: ['Ptth-Secret', secret, ...fields],
                body: '{"responses":[]}',
              },
          (close) => {
            destroy = close;
          },
        ).catch(() => null);
        const until = async (check: () => boolean, what: string) => {
          const deadline = Date.now() + 2_000;
          while (!check()) {
            if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        };
        await until(() => hub.session(id)?.poll != null, 'the poll is held');
        destroy();
        await until(() => hub.session(id)?.poll == null, 'the poll is let go');
        assert.equal(await held, null);
      } finally {
        hub.close();
        server.closeAllConnections();
        server.close();
      }
    });
  }
});
