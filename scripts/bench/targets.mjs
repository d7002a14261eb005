// Issue 7's targets, judged on one run's figures: each is met, missed, or not measured (null).

const KB = 1_024;

const signed = (value) => `${value < 0 ? '−' : '+'}${Math.abs(value).toFixed(2)}`;

function target(id, text, measured, met) {
  return { id, target: text, measured, met };
}

/** The targets with what this run measured. */
export function judgeTargets({ systems, scale, size, idle }) {
  const { ptth, ptthGateway, socketIoPolling: polling, socketIoWebSocket: webSocket, bareLongPoll: floor } = systems;
  const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
  const big = scale.find((run) => run.n === 10_000);
  const bigDone = big && !big.cut;
  const core = size['ptth core'];
  const quiet = idle.timersStarted === 0 && idle.requestsStarted === 0 && idle.liveTimers <= 1 && idle.scriptMs < 0.5;
  return [
    target(
      'latency-p50',
      'long-poll p50 ≤ 0.5× Socket.IO polling',
      `${ptth.p50.toFixed(2)} vs ${polling.p50.toFixed(2)} ms: ${ratio(ptth.p50, polling.p50)}` +
        (floor ? ` (a bare long-poll loop: ${ratio(floor.p50, polling.p50)})` : ''),
      ptth.p50 <= 0.5 * polling.p50,
    ),
    target(
      'latency-p99',
      'long-poll p99 no worse than Socket.IO polling',
      `${ptth.p99.toFixed(2)} vs ${polling.p99.toFixed(2)} ms: ${ratio(ptth.p99, polling.p99)}`,
      ptth.p99 <= polling.p99,
    ),
    target(
      'throughput-polling',
      'throughput ≥ 2× Socket.IO polling',
      `${Math.round(ptth.perSecond)} vs ${Math.round(polling.perSecond)}/s: ${ratio(ptth.perSecond, polling.perSecond)}` +
        (floor ? ` (a bare long-poll loop: ${ratio(floor.perSecond, polling.perSecond)})` : ''),
      ptth.perSecond >= 2 * polling.perSecond,
    ),
    target(
      'throughput-websocket',
      'throughput above Socket.IO WebSocket',
      `${Math.round(ptth.perSecond)} vs ${Math.round(webSocket.perSecond)}/s: ${ratio(ptth.perSecond, webSocket.perSecond)}`,
      ptth.perSecond > webSocket.perSecond,
    ),
    target(
      'gateway',
      'gateway adds < 0.3 ms p50 over hub.fetch',
      `${signed(ptthGateway.p50 - ptthGateway.alongside.p50)} ms (${ptthGateway.p50.toFixed(2)} vs ` +
        `${ptthGateway.alongside.p50.toFixed(2)} ms, measured in turns; the HTTP hop alone ${ptthGateway.hop.p50.toFixed(2)} ms)`,
      ptthGateway.p50 - ptthGateway.alongside.p50 < 0.3,
    ),
    target(
      'idle-memory',
      '≥ 10,000 idle clients at ≤ 16 KB each (heap and RSS)',
      bigDone
        ? `heap ${(big.heapPerClient / KB).toFixed(1)} KB, RSS ${(big.rssPerClient / KB).toFixed(1)} KB per client`
        : `not measured: ${big?.cut ?? 'N = 10,000 not run (smoke mode)'}`,
      bigDone ? big.heapPerClient <= 16 * KB && big.rssPerClient <= 16 * KB : null,
    ),
    target(
      'idle-fanout',
      'a request to all 10,000 answered within 2 s',
      bigDone ? `${Math.round(big.fanoutMedianMs)} ms (median of ${big.fanoutMs.length})` : 'not measured',
      bigDone ? big.fanoutMedianMs <= 2_000 : null,
    ),
    target(
      'core-size',
      'core client ≤ 8 KB min+gzip',
      `${(core.gzip / KB).toFixed(1)} KB (transport, router, DOM handler, morphdom, sanitizer); the transport alone ${(size['ptth transport alone'].gzip / KB).toFixed(1)} KB, the whole client.js ${(size['ptth client.js'].gzip / KB).toFixed(1)} KB`,
      core.gzip <= 8 * KB,
    ),
    target(
      'idle-page',
      'zero timers/CPU in an idle page beyond the held poll',
      `${idle.windowMs} ms: ${idle.timersStarted} timers and ${idle.requestsStarted} requests started, ` +
        `${idle.liveTimers} pending, ${idle.scriptMs.toFixed(2)} ms script ` +
        `(renderer tasks ${idle.taskMs.toFixed(0)} ms, ${idle.control.taskMs.toFixed(0)} ms with nothing connected)`,
      quiet,
    ),
  ];
}
