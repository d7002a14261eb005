// The bench page's own script: the peers' handlers (Socket.IO, a bare WebSocket), the 1,000-row
// table, and the in-page DOM timings. Every system answers from this one page.

const ROWS = 1_000;
/** The row whose last cell the timed PUTs change. */
const CHANGED_ROW = 500;

function rowHtml(i, note) {
  return `<tr><td>${i}</td><td>item ${i}</td><td>${note}</td></tr>`;
}

/** The table's markup, with row `CHANGED_ROW`'s note set to `note`. */
function tableHtml(note) {
  let rows = '';
  for (let i = 1; i <= ROWS; i++) rows += rowHtml(i, i === CHANGED_ROW ? note : `note ${i}`);
  return `<table id="big"><tbody>${rows}</tbody></table>`;
}

document.getElementById('big').outerHTML = tableHtml(`note ${CHANGED_ROW}`);

/** What a peer's page handler does: find the node by XPath and answer its markup. */
function answer(xpath) {
  const node = document.evaluate(xpath, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
  return node ? node.outerHTML : '';
}

const closers = [];

/** Milliseconds `run` takes, median of `rounds` after 3 untimed ones; layout is forced inside the timing. */
async function timed(rounds, run) {
  const times = [];
  for (let i = -3; i < rounds; i++) {
    const start = performance.now();
    await run(i);
    void document.body.offsetHeight;
    if (i >= 0) times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

window.bench = {
  /** Connects Socket.IO with one transport ('polling' or 'websocket'); resolves once connected. */
  socketIo(transport) {
    return new Promise((resolve, reject) => {
      const socket = window.io({ transports: [transport], reconnection: false });
      socket.on('get', (xpath, ack) => ack(answer(xpath)));
      socket.once('connect', () => resolve(socket.id));
      socket.once('connect_error', reject);
      closers.push(() => socket.disconnect());
    });
  },

  /** Opens the bare WebSocket: each message is "id xpath", each answer "id markup". */
  webSocket() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${location.host}/bench/ws`);
      ws.onmessage = (event) => {
        const text = event.data;
        const space = text.indexOf(' ');
        ws.send(text.slice(0, space + 1) + answer(text.slice(space + 1)));
      };
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error('the WebSocket failed'));
      closers.push(() => ws.close());
    });
  },

  /** The bare long-poll loop of server.mjs (the floor of long-poll): one fetch per round trip. */
  bare() {
    const controller = new AbortController();
    closers.push(() => controller.abort());
    (async () => {
      let answers = [];
      while (!controller.signal.aborted) {
        const response = await fetch('/bench/bare', {
          method: 'POST',
          body: JSON.stringify(answers),
          signal: controller.signal,
        }).catch(() => null);
        if (!response) return;
        answers = (await response.json()).map(([id, xpath]) => [id, answer(xpath)]);
      }
    })();
  },

  /** Closes every peer connection opened so far. */
  closePeers() {
    for (const close of closers.splice(0)) close();
  },

  /**
   * In-page DOM timings (median ms, forced layout included): PUT of the whole table with one row
   * changed through ptth's DOM handler (sanitized, as pages get it by default, and unsanitized),
   * the same table set with innerHTML, PUT of the one row, and GET of the table vs its outerHTML.
   */
  async dom(rounds) {
    const { pageHandler } = window.ptth.api;
    const sanitized = pageHandler(document);
    const unsanitized = pageHandler(document, { sanitize: false });
    const origin = 'http://ptth.invalid';
    const tablePath = '/html/body/main/table';
    const rowPath = `${tablePath}/tbody/tr[${CHANGED_ROW}]`;
    const markup = [tableHtml('changed A'), tableHtml('changed B')];
    const rows = [rowHtml(CHANGED_ROW, 'row A'), rowHtml(CHANGED_ROW, 'row B')];
    const put = (handler, path, body) => async () => {
      const request = new Request(origin + path, { method: 'PUT', headers: { 'content-type': 'text/html' }, body });
      const response = await handler(request);
      await response.text();
      if (response.status !== 200) throw new Error(`PUT ${path} answered ${response.status}`);
    };
    const main = document.querySelector('main');
    let tableBytes = 0;
    const result = {
      putTable: await timed(rounds, (i) => put(sanitized, tablePath, markup[i & 1])()),
      putTableUnsanitized: await timed(rounds, (i) => put(unsanitized, tablePath, markup[i & 1])()),
      innerHtml: await timed(rounds, (i) => {
        main.innerHTML = markup[i & 1];
      }),
      putRow: await timed(rounds, (i) => put(sanitized, rowPath, rows[i & 1])()),
      getTable: await timed(rounds, async () => {
        const response = await sanitized(new Request(origin + tablePath));
        tableBytes = (await response.text()).length;
      }),
      outerHtml: await timed(rounds, () => {
        if (answer(tablePath).length === 0) throw new Error('no table');
      }),
    };
    main.innerHTML = tableHtml(`note ${CHANGED_ROW}`);
    return { ...result, tableBytes };
  },
};

// Opened without Playwright (scripts/bench/profile.mjs), the page connects by itself: #ptth or #polling.
if (location.hash === '#ptth') window.ptth.connect();
if (location.hash === '#polling') window.bench.socketIo('polling');
