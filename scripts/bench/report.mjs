// The bench's printed report: markdown tables of absolute figures and ratios (ptth ÷ peer).
import { BLOCK } from './gateway-load.mjs';

const LABELS = {
  ptth: 'ptth hub.fetch (long-poll, JSON wire)',
  ptthGateway: 'ptth HTTP gateway (keep-alive node:http)',
  socketIoPolling: 'Socket.IO polling (emitWithAck)',
  socketIoWebSocket: 'Socket.IO WebSocket (emitWithAck)',
  ws: 'ws, bare WebSocket (the floor)',
  bareLongPoll: 'bare long-poll loop (the floor of long-poll)',
};

const ms = (value) => (value === null || value === undefined ? '—' : `${value.toFixed(2)} ms`);
const count = (value) => Math.round(value).toLocaleString('en-US');
const times = (value) => `${value.toFixed(2)}×`;
const kb = (bytes) => `${(bytes / 1_024).toFixed(1)} KB`;

/** `ptth ÷ peer` for every figure of every system but ptth's own row. */
export function ratios(systems) {
  const { ptth } = systems;
  const out = {};
  for (const [name, peer] of Object.entries(systems)) {
    if (name === 'ptth') continue;
    out[name] = {
      p50: ptth.p50 / peer.p50,
      p99: ptth.p99 / peer.p99,
      perSecond: ptth.perSecond / peer.perSecond,
      largeGetP50: peer.largeGetP50 ? ptth.largeGetP50 / peer.largeGetP50 : null,
    };
  }
  return out;
}

function table(head, rows) {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

/** The report as markdown lines. */
export function report(result) {
  const { counts, systems } = result;
  const lines = [`${result.machine.summary}; ${counts.mode} run.`, ''];
  lines.push(
    `Round trips: "ask the page for one node" (p50/p99 of ${count(counts.sequential)} sequential after ${counts.warmup} ` +
      `warm-up; answers/s of ${count(counts.total)} with ${counts.inFlight} in flight after ${count(counts.totalWarmup)} ` +
      'untimed); GET of the 1,000-row table ' +
      `(p50 of ${counts.largeGets}). Ratios are ptth hub.fetch ÷ that system (below 1 is better for ms, above 1 for answers/s).`,
    '',
  );
  const r = result.ratios;
  lines.push(
    ...table(
      [
        'system',
        'p50',
        'p99',
        'answers/s',
        'table GET p50',
        'ptth÷ p50',
        'ptth÷ p99',
        'ptth÷ answers/s',
        'ptth÷ table GET',
      ],
      Object.entries(systems).map(([name, s]) => [
        LABELS[name],
        ms(s.p50),
        ms(s.p99),
        count(s.perSecond),
        ms(s.largeGetP50),
        ...(name === 'ptth'
          ? ['1', '1', '1', '1']
          : [
              times(r[name].p50),
              times(r[name].p99),
              times(r[name].perSecond),
              r[name].largeGetP50 === null ? '—' : times(r[name].largeGetP50),
            ]),
      ]),
    ),
    '',
  );
  const us = (value) => (value === null || value === undefined ? '—' : `${count(value)} µs`);
  const ratio = (a, b) => (a === null || b === null || a === undefined || b === undefined ? '—' : times(a / b));
  lines.push(
    `CPU time per answer during the ${count(counts.total)} with ${counts.inFlight} in flight (the server's from the process ` +
      "itself, or for the gateway from /proc; Chromium's from each thread's /proc schedstat, in ns; barely affected by the other load on the " +
      "machine): the server process, all of Chromium's processes, and of those the " +
      "renderer's (the page's JavaScript, DOM and its side of fetch; the rest is the browser process and the network " +
      'service). For the gateway, ' +
      'the server process also parses the outside HTTP requests (their client is not counted).',
    '',
    ...table(
      ['system', 'server CPU/answer', 'Chromium CPU/answer', 'of which renderer', 'ptth÷ server', 'ptth÷ Chromium'],
      Object.entries(systems).map(([name, s]) => [
        LABELS[name],
        us(s.serverCpuUs),
        us(s.browserCpuUs),
        us(s.rendererCpuUs),
        name === 'ptth' ? '1' : ratio(systems.ptth.serverCpuUs, s.serverCpuUs),
        name === 'ptth' ? '1' : ratio(systems.ptth.browserCpuUs, s.browserCpuUs),
      ]),
    ),
    '',
  );
  const { hop, alongside } = systems.ptthGateway;
  lines.push(
    `The gateway's sequential round trips were measured in turns with hub.fetch's (blocks of ${BLOCK} calls each, ` +
      `from one keep-alive node:http client in another process): hub.fetch p50 ${ms(alongside.p50)}, p99 ` +
      `${ms(alongside.p99)} in those turns; the HTTP hop alone (the same client calling GET /ptth/clients/{id}, ` +
      `answered by the server without the page): p50 ${ms(hop.p50)}, p99 ${ms(hop.p99)}.`,
    '',
  );
  lines.push(
    'Scale: idle long-poll clients on one server process (memory: slope after GC from the first ' +
      `${counts.scaleBase} clients to N; fan-out: one hub.fetch to every client until all answers are back).`,
    '',
  );
  lines.push(
    ...table(
      ['idle clients', 'heap/client', 'RSS/client', 'connects/s', 'request to all (median)', 'server CPU per fan-out'],
      result.scale.map((s) =>
        s.cut
          ? [count(s.n), `cut: ${s.cut}`, '', '', '', '']
          : [
              count(s.n),
              kb(s.heapPerClient),
              kb(s.rssPerClient),
              count(s.connectsPerSecond),
              `${count(s.fanoutMedianMs)} ms (${s.fanoutMs.map((t) => count(t)).join(', ')})`,
              `${count(s.fanoutServerCpuMs)} ms`,
            ],
      ),
    ),
    '',
  );
  const d = result.dom;
  lines.push(
    `DOM, timed in the page with performance.now() around one call of ptth's DOM handler (no transport), ` +
      `forced layout included; median of ${counts.domRounds}:`,
    '',
    ...table(
      ['operation', 'ptth DOM handler', 'plain DOM', 'ptth ÷ plain'],
      [
        [
          'PUT the 1,000-row table, one row changed (morph, sanitized: the default)',
          ms(d.putTable),
          `innerHTML ${ms(d.innerHtml)}`,
          times(d.putTable / d.innerHtml),
        ],
        [
          'the same PUT, sanitize: false',
          ms(d.putTableUnsanitized),
          `innerHTML ${ms(d.innerHtml)}`,
          times(d.putTableUnsanitized / d.innerHtml),
        ],
        ['PUT the one row (`…/tbody/tr[500]`)', ms(d.putRow), '—', '—'],
        [
          `GET the table (${count(d.tableBytes)} B)`,
          ms(d.getTable),
          `outerHTML ${ms(d.outerHtml)}`,
          times(d.getTable / d.outerHtml),
        ],
      ],
    ),
    '',
  );
  const io = result.size['socket.io.min.js'];
  lines.push(
    ...table(
      ['bundle', 'minified', 'gzipped', '÷ socket.io.min.js gzipped'],
      Object.entries(result.size).map(([name, s]) => [
        name,
        `${count(s.min)} B`,
        `${count(s.gzip)} B`,
        times(s.gzip / io.gzip),
      ]),
    ),
    '',
  );
  const i = result.idle;
  const c = i.control;
  lines.push(
    `Idle page, ${i.windowMs} ms watched: with ptth connected ${i.timersStarted} timers and ${i.requestsStarted} ` +
      `requests started, ${i.liveTimers} timer pending (the held poll's deadline), ${i.scriptMs.toFixed(2)} ms of ` +
      `script, ${i.taskMs.toFixed(2)} ms of renderer tasks; with nothing connected (control) ${c.timersStarted} ` +
      `timers, ${c.requestsStarted} requests, ${c.scriptMs.toFixed(2)} ms of script, ${c.taskMs.toFixed(2)} ms of tasks.`,
    '',
  );
  const verdict = (met) => (met === null ? 'not measured' : met ? 'met' : 'missed');
  lines.push(
    ...table(
      ['issue 7 target', 'this run', ''],
      result.targets.map((t) => [t.target, t.measured, verdict(t.met)]),
    ),
  );
  for (const s of result.scale.filter((run) => run.cut)) lines.push('', `N = ${count(s.n)} was cut: ${s.cut}.`);
  return lines;
}
