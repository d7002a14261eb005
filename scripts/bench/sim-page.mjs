// A simulated page for server-cpu.mjs: one client speaking the shared poll's JSON wire over one
// keep-alive connection, as the browser's tab-group leader does, answering every request at once
// (the DOM handler's headers, the bench's node) on its next poll. No Chromium: what the server
// spends per answer can be measured without a browser competing for the cores.
// Usage: node sim-page.mjs PORT; prints {"id"} on IPC once connected, then polls until killed.
import { randomUUID } from 'node:crypto';
import { RawHttpConnection } from './raw-http.mjs';
import { EXPECTED } from './task.mjs';

const port = Number(process.argv[2]);
const connection = new RawHttpConnection(port);
const instance = randomUUID();
const connectBody = JSON.stringify({ url: 'bench://sim-page', dom: true, instance });
const reply = await connection.request('POST', '/ptth/connect', { 'Content-Type': 'application/json' }, connectBody);
if (reply.status !== 201) throw new Error(`connect answered ${reply.status}: ${reply.body}`);
const { id, secret } = JSON.parse(reply.body);
const headers = {
  'Content-Type': 'application/json',
  'Ptth-Secret': `${id}=${secret}`,
  'Sec-Fetch-Site': 'same-origin',
};
const answerHeaders = [
  ['content-type', 'text/html; charset=utf-8'],
  ['etag', '"5d1b0c7a1e2f3a4b"'],
  ['vary', 'Accept'],
  ['ptth-match-count', '1'],
];
process.send({ type: 'ready', id });
let ack = 0;
let responses = [];
for (;;) {
  const body = JSON.stringify({ clients: [{ id, instance, ack, responses }] });
  const poll = await connection.request('POST', '/ptth/poll', headers, body);
  if (poll.status !== 200) throw new Error(`shared poll answered ${poll.status}: ${poll.body}`);
  const { requests } = JSON.parse(poll.body);
  responses = requests.map((request) => ({ id: request.id, status: 200, headers: answerHeaders, body: EXPECTED }));
  for (const request of requests) ack = Math.max(ack, request.seq ?? 0);
}
