// The bench's server: ptth's dev routes (long-poll endpoints, gateway, client bundle), the bench
// page, Socket.IO and a bare WebSocket endpoint, all on one node:http server and one origin.
// It runs in its own process (server-process.mjs), never beside Playwright: Playwright's
// AsyncLocalStorage turns on promise hooks, which made every await of the server slower.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Server as SocketIoServer } from 'socket.io';
import { WebSocketServer } from 'ws';
import { devApp, Hub, toNodeListener } from '../../dist/server/index.js';

const PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url));

/**
 * Serves /bench/page.js on node:http itself, as a server of one's own would beside ptth: a
 * fetch-shaped wrapper around ptth's routes would hand them real `Request`s (ptth's own routes
 * take the adapter's light requests only when the adapter calls them directly).
 */
async function servePageJs(res) {
  const body = await readFile(new URL('./page/page.js', import.meta.url));
  res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'content-length': body.length });
  res.end(body);
}

/** The open connection of one kind (the latest one), and a promise of it while there is none. */
function latest() {
  let current = null;
  const waiting = [];
  return {
    set(value) {
      current = value;
      for (const resolve of waiting.splice(0)) resolve(value);
    },
    unset(value) {
      if (current === value) current = null;
    },
    get: () => current,
    open: () => (current ? Promise.resolve(current) : new Promise((resolve) => waiting.push(resolve))),
  };
}

/** A bare WebSocket peer: messages "id xpath" out, "id markup" back, matched by id. */
function webSocketPeer(server) {
  const wss = new WebSocketServer({ noServer: true });
  const socket = latest();
  const pending = new Map();
  let nextId = 0;
  server.on('upgrade', (req, raw, head) => {
    if (req.url !== '/bench/ws') return;
    wss.handleUpgrade(req, raw, head, (ws) => {
      ws.on('message', (data) => {
        const text = data.toString();
        const space = text.indexOf(' ');
        const id = Number(text.slice(0, space));
        pending.get(id)?.(text.slice(space + 1));
        pending.delete(id);
      });
      ws.on('close', () => socket.unset(ws));
      socket.set(ws);
    });
  });
  return {
    open: socket.open,
    ask: (xpath) =>
      new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        socket.get().send(`${id} ${xpath}`);
      }),
    close: () => wss.close(),
  };
}

/** Socket.IO as it ships (defaults), on the same server; the page asks for its client bundle. */
function socketIoPeer(server) {
  const io = new SocketIoServer(server, { serveClient: true });
  const socket = latest();
  io.on('connection', (s) => {
    s.on('disconnect', () => socket.unset(s));
    socket.set(s);
  });
  return {
    open: socket.open,
    ask: (xpath) => socket.get().emitWithAck('get', xpath),
    close: () => io.disconnectSockets(true),
  };
}

/**
 * A bare long-poll loop on raw node:http: the floor of what any long-poll system costs in
 * Chromium (a reference row of the report, not a peer): POST /bench/bare carries the page's answers
 * ([[id, markup], ...]) and is held until requests are queued ([[id, xpath], ...]); everything
 * queued in one moment goes as one batch.
 */
function bareLongPoll() {
  const queue = [];
  const pending = new Map();
  let held = null;
  let nextId = 0;
  let flushing = false;
  const flush = () => {
    flushing = false;
    if (held === null || queue.length === 0) return;
    const res = held;
    held = null;
    const body = JSON.stringify(queue.splice(0));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const soon = () => {
    if (flushing) return;
    flushing = true;
    process.nextTick(flush);
  };
  return {
    handle(req, res) {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        for (const [id, markup] of text ? JSON.parse(text) : []) {
          pending.get(id)?.(markup);
          pending.delete(id);
        }
        if (held) {
          const previous = held;
          held = null;
          previous.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 });
          previous.end('[]');
        }
        held = res;
        res.on('close', () => {
          if (held === res) held = null;
        });
        soon();
      });
    },
    open: () => Promise.resolve(),
    ask: (xpath) =>
      new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        queue.push([id, xpath]);
        soon();
      }),
  };
}

/** Starts the bench server on a free loopback port. */
export async function startBenchServer() {
  // The rate limits per client (gateway requests, polls) would refuse the throughput runs: lifted.
  const hub = new Hub({ requestsPerSecond: Number.POSITIVE_INFINITY, pollsPerSecond: Number.POSITIVE_INFINITY });
  const bare = bareLongPoll();
  // '/' is the bench page (index.html of PAGE_DIR).
  const listener = toNodeListener(devApp(hub, { root: PAGE_DIR }));
  const server = createServer((req, res) => {
    if (req.url === '/bench/bare' && req.method === 'POST') bare.handle(req, res);
    else if (req.url === '/bench/page.js') servePageJs(res).catch(() => res.destroy());
    else listener(req, res);
  });
  server.keepAliveTimeout = 65_000;
  const socketIo = socketIoPeer(server);
  const webSocket = webSocketPeer(server);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;
  return {
    url,
    hub,
    socketIo,
    webSocket,
    bare,
    close: () =>
      new Promise((resolve) => {
        webSocket.close();
        socketIo.close();
        hub.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
