// The bench in its smoke mode (tiny counts) must run and report every system and every figure.
// Never timed: a benchmark's numbers are not a test's business, only that they are all there.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';

const SYSTEMS = ['ptth', 'ptthGateway', 'socketIoPolling', 'socketIoWebSocket', 'ws', 'bareLongPoll'];
const TARGETS = [
  'latency-p50',
  'latency-p99',
  'throughput-polling',
  'throughput-websocket',
  'gateway',
  'idle-memory',
  'idle-fanout',
  'core-size',
  'idle-page',
];

function positive(value, what) {
  assert.ok(typeof value === 'number' && Number.isFinite(value) && value > 0, `${what} is ${value}`);
}

describe('the bench', () => {
  it('in smoke mode prints one JSON document with every system and figure', () => {
    const run = (args) => execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    run(['scripts/ensure-chromium.mjs']);
    run(['scripts/build.mjs']);
    const result = JSON.parse(run(['scripts/bench.mjs', '--smoke', '--json']));

    assert.equal(result.mode, 'smoke');
    for (const key of ['cpus', 'node', 'chromium']) assert.ok(result.machine[key], `machine.${key}`);
    assert.deepEqual(Object.keys(result.systems).sort(), [...SYSTEMS].sort());
    for (const name of SYSTEMS) {
      for (const figure of ['p50', 'p99', 'perSecond']) positive(result.systems[name][figure], `${name}.${figure}`);
      if (name !== 'ptthGateway') positive(result.systems[name].largeGetP50, `${name}.largeGetP50`);
      positive(result.systems[name].serverCpuUs, `${name}.serverCpuUs`);
      if (process.platform === 'linux') positive(result.systems[name].browserCpuUs, `${name}.browserCpuUs`);
      if (process.platform === 'linux') positive(result.systems[name].rendererCpuUs, `${name}.rendererCpuUs`);
      if (name !== 'ptth')
        for (const figure of ['p50', 'p99', 'perSecond'])
          positive(result.ratios[name][figure], `ratio ${name}.${figure}`);
    }

    positive(result.systems.ptthGateway.hop?.p50, 'the gateway hop alone');
    positive(result.systems.ptthGateway.alongside?.p50, 'hub.fetch in turns with the gateway');
    assert.deepEqual(
      result.scale.map((run) => run.n),
      result.counts.scale,
    );
    for (const run of result.scale) {
      assert.equal(run.cut, undefined, `N=${run.n} was cut: ${run.cut}`);
      for (const figure of [
        'heapPerClient',
        'rssPerClient',
        'connectsPerSecond',
        'fanoutMedianMs',
        'fanoutServerCpuMs',
      ]) {
        assert.equal(typeof run[figure], 'number', `scale N=${run.n} ${figure}`);
      }
    }

    for (const figure of [
      'putTable',
      'putTableUnsanitized',
      'innerHtml',
      'putRow',
      'getTable',
      'outerHtml',
      'tableBytes',
    ]) {
      assert.equal(typeof result.dom[figure], 'number', `dom.${figure}`);
    }
    for (const bundle of ['ptth client.js', 'ptth core', 'ptth transport alone', 'socket.io.min.js']) {
      positive(result.size[bundle]?.min, `${bundle} minified`);
      positive(result.size[bundle]?.gzip, `${bundle} gzipped`);
    }
    for (const figure of ['timersStarted', 'requestsStarted', 'liveTimers', 'scriptMs', 'taskMs']) {
      assert.equal(typeof result.idle[figure], 'number', `idle.${figure}`);
    }

    assert.deepEqual(
      result.targets.map((target) => target.id),
      TARGETS,
    );
    for (const target of result.targets) {
      assert.ok(target.met === true || target.met === false || target.met === null, target.id);
      assert.equal(typeof target.measured, 'string', target.id);
    }
  });
});
