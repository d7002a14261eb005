// A Node peer behind "NAT": it never listens, it only dials out to a ptth hub with
// `Upgrade: PTTH/1.0` and serves a small XML document (with a counter that ticks every second)
// on the socket it opened. The hub, its gateway and its REPL then reach it like a browser tab.
//
//   npm run build && node scripts/nat-peer.mjs --url http://127.0.0.1:8080/ptth/reverse
//
// Options: --url (the hub's reverse endpoint), --connections N (turned sockets, default 1),
// --name (shown in GET /ptth/clients), --token (or PTTH_TOKEN), --id and --secret (keep an id),
// --tick-ms (the counter's period, default 1000).
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { parseXmlDocument, serveDocument } from '../dist/peer/index.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8080/ptth/reverse' },
    connections: { type: 'string', default: '1' },
    name: { type: 'string', default: `nat-peer on ${hostname()}` },
    token: { type: 'string', default: process.env.PTTH_TOKEN },
    id: { type: 'string' },
    secret: { type: 'string' },
    'tick-ms': { type: 'string', default: '1000' },
  },
});

const document = parseXmlDocument(`<status>
  <host>${hostname().replace(/[<&]/g, '')}</host>
  <started>${new Date().toISOString()}</started>
  <counter>0</counter>
  <notes><note>hello from behind NAT</note></notes>
</status>`);

// The document changes by itself, so a watching GET (If-None-Match + Prefer: wait) sees it move.
const counter = document.getElementsByTagName('counter')[0];
const timer = setInterval(() => {
  counter.textContent = String(Number(counter.textContent) + 1);
}, Number(values['tick-ms']));

const peer = serveDocument({
  url: values.url,
  document,
  name: values.name,
  connections: Number(values.connections),
  token: values.token,
  id: values.id,
  secret: values.secret,
});

const gateway = new URL('clients/', new URL('.', values.url));
peer.on('state', (state) => {
  if (state !== 'open') return console.log(`state: ${state}`);
  console.log(`open: id ${peer.id} over ${peer.transport} (secret ${peer.secret ?? 'n/a'})`);
  console.log(`try: curl ${gateway.href}${peer.id}/status/counter`);
});
peer.on('transport', (transport) => console.log(`transport: ${transport}`));
peer.on('error', ({ reason }) => console.log(`error: ${reason}`));
peer.on('request', ({ method, path, status, ms }) => console.log(`${method} ${path} ${status} ${ms.toFixed(1)} ms`));

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    clearInterval(timer);
    await peer.close();
    process.exit(0);
  });
}
