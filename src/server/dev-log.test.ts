import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { devLog, formatLogLine, type LogEntry } from './dev-log.ts';
import { startDevServer } from './dev-server.ts';

const TIME = new Date('2026-01-02T03:04:05.678Z');

describe('log lines', () => {
  const cases: Array<[LogEntry, string, string]> = [
    [
      { event: 'connect', client: 'Ab3', url: 'http://127.0.0.1:8080/' },
      '2026-01-02T03:04:05.678Z connect client=Ab3 url=http://127.0.0.1:8080/',
      '{"time":"2026-01-02T03:04:05.678Z","event":"connect","client":"Ab3","url":"http://127.0.0.1:8080/"}',
    ],
    [
      { event: 'disconnect', client: 'Ab3', reason: 'no poll for 15000 ms' },
      '2026-01-02T03:04:05.678Z disconnect client=Ab3 reason="no poll for 15000 ms"',
      '{"time":"2026-01-02T03:04:05.678Z","event":"disconnect","client":"Ab3","reason":"no poll for 15000 ms"}',
    ],
    [
      { event: 'refused', address: '::1', reason: 'limit' },
      '2026-01-02T03:04:05.678Z refused address=::1 reason=limit',
      '{"time":"2026-01-02T03:04:05.678Z","event":"refused","address":"::1","reason":"limit"}',
    ],
    [
      { event: 'request', method: 'GET', path: "/ptth/clients/Ab3//li[@id='x']", status: 200, ms: 1.5 },
      "2026-01-02T03:04:05.678Z request method=GET path=/ptth/clients/Ab3//li[@id='x'] status=200 ms=1.5",
      `{"time":"2026-01-02T03:04:05.678Z","event":"request","method":"GET","path":"/ptth/clients/Ab3//li[@id='x']","status":200,"ms":1.5}`,
    ],
    [
      { event: 'request', method: 'GET', path: '/a"b\nc', status: 400, ms: 0 },
      '2026-01-02T03:04:05.678Z request method=GET path="/a\\"b\\nc" status=400 ms=0',
      '{"time":"2026-01-02T03:04:05.678Z","event":"request","method":"GET","path":"/a\\"b\\nc","status":400,"ms":0}',
    ],
  ];
  for (const [entry, text, json] of cases) {
    it(`a ${entry.event} entry is one line of text or JSON (${text.slice(25, 60)})`, () => {
      assert.equal(formatLogLine(entry, 'text', TIME), text);
      assert.equal(formatLogLine(entry, 'json', TIME), json);
      assert.deepEqual(JSON.parse(json), { time: TIME.toISOString(), ...entry });
    });
  }

  it('the startup lines stay as they were in text, and are one JSON line in json', () => {
    const entry: LogEntry = {
      event: 'listening',
      url: 'http://127.0.0.1:8080/',
      gateway: 'http://127.0.0.1:8080/ptth/clients',
    };
    assert.equal(
      formatLogLine(entry, 'text', TIME),
      'ptth dev server at http://127.0.0.1:8080/\n  gateway: http://127.0.0.1:8080/ptth/clients',
    );
    assert.equal(JSON.parse(formatLogLine(entry, 'json', TIME)).event, 'listening');
  });

  it('a quiet log writes only the startup lines; a verbose one writes everything', () => {
    const lines: string[] = [];
    const entries: LogEntry[] = [
      { event: 'listening', url: 'u', gateway: 'g' },
      { event: 'connect', client: 'c', url: 'u' },
    ];
    const quiet = devLog({ write: (line) => lines.push(line), now: () => TIME });
    for (const entry of entries) quiet(entry);
    assert.equal(lines.length, 1);
    const verbose = devLog({ write: (line) => lines.push(line), now: () => TIME, verbose: true, format: 'json' });
    for (const entry of entries) verbose(entry);
    assert.deepEqual(
      lines.slice(1).map((line) => JSON.parse(line).event),
      ['listening', 'connect'],
    );
  });
});

describe('the dev server log', () => {
  it('logs startup, clients coming, refused and going, and each gateway request with its status and time', async () => {
    const entries: LogEntry[] = [];
    const server = await startDevServer({
      port: 0,
      clientDir: mkdtempSync(join(tmpdir(), 'ptth-log-')),
      token: 'sesame',
      hub: { maxClients: 1 },
      log: (entry) => entries.push(entry),
    });
    try {
      assert.deepEqual(entries.shift(), { event: 'listening', url: server.url, gateway: `${server.url}ptth/clients` });
      const connect = () =>
        fetch(`${server.url}ptth/connect`, { method: 'POST', body: JSON.stringify({ url: 'http://page.test/' }) });
      const { id } = (await (await connect()).json()) as { id: string };
      assert.equal((await connect()).status, 503);
      const auth = { authorization: 'Bearer sesame' };
      assert.equal((await fetch(`${server.url}ptth/clients`, { headers: auth })).status, 200);
      assert.equal((await fetch(`${server.url}ptth/clients/nobody/html`, { headers: auth })).status, 404);
      assert.equal((await fetch(`${server.url}ptth/clients`)).status, 401);
      assert.equal((await fetch(`${server.url}ptth/client.js`)).status, 404);
      server.hub.expire(id, 'test over');
      const requests = entries.filter((entry) => entry.event === 'request');
      assert.deepEqual(
        entries.map((entry) => entry.event),
        ['connect', 'refused', 'request', 'request', 'request', 'disconnect'],
      );
      assert.deepEqual(
        requests.map((entry) => entry.event === 'request' && [entry.method, entry.path, entry.status]),
        [
          ['GET', '/ptth/clients', 200],
          ['GET', '/ptth/clients/nobody/html', 404],
          ['GET', '/ptth/clients', 401],
        ],
      );
      for (const entry of requests) assert.ok(entry.event === 'request' && entry.ms >= 0 && entry.ms < 5_000);
      assert.deepEqual(entries[0], { event: 'connect', client: id, url: 'http://page.test/' });
      assert.match(JSON.stringify(entries[1]), /"reason":"The hub has 1 clients, its limit \(maxClients\)"/);
      assert.deepEqual(entries.at(-1), { event: 'disconnect', client: id, reason: 'test over' });
    } finally {
      await server.close();
    }
  });
});
