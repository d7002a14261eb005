// Summaries of V8 CPU profiles (Node's inspector or Chromium's CDP Profiler): self time per
// function and per kind of code, so a profile can be read as a short table.

/** Self time in ms of every profile node, from its samples. */
function selfTimes(profile) {
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1_000);
  }
  return self;
}

/** What kind of code a call frame is, by its script URL. */
export function kindOf({ url, functionName }) {
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName === '(program)') return 'program (native, outside JS)';
  if (url.includes('/dist/server/') || url.includes('/dist/client/') || url.includes('/ptth/client')) return 'ptth';
  if (url.includes('node:internal/deps/undici') || url.includes('undici')) return 'undici (Request/Response/Headers)';
  if (url.startsWith('node:')) return 'Node core';
  if (url.includes('socket.io') || url.includes('engine.io')) return 'Socket.IO';
  if (url.includes('/scripts/') || url.includes('/bench/page.js')) return 'bench';
  if (url.includes('playwright')) return 'Playwright';
  if (url === '') return 'native/builtins';
  return 'other';
}

/** Self time by kind of code and the `top` functions, in ms. */
export function summarize(profile, top = 15) {
  const self = selfTimes(profile);
  const byKind = new Map();
  const byFunction = new Map();
  for (const node of profile.nodes) {
    const ms = self.get(node.id) ?? 0;
    if (ms === 0) continue;
    const kind = kindOf(node.callFrame);
    byKind.set(kind, (byKind.get(kind) ?? 0) + ms);
    const file = node.callFrame.url.split('/').pop() || '';
    const name = `${node.callFrame.functionName || '(anonymous)'} ${file}:${node.callFrame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
  }
  const sorted = (map) => [...map.entries()].sort((a, b) => b[1] - a[1]);
  const total = [...byKind.values()].reduce((a, b) => a + b, 0);
  return { totalMs: total, byKind: sorted(byKind), top: sorted(byFunction).slice(0, top) };
}
