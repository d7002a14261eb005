// The idle page: what a connected page does while nobody asks it anything. Timers, fetches and
// XHRs are counted by wrappers installed before any script of the page runs; CPU comes from
// Chromium's own counters (CDP Performance.getMetrics).

/** Runs in the page before its scripts (page.addInitScript): counts timers and requests. */
export function countTimers() {
  const live = new Set();
  const counts = { timeouts: 0, intervals: 0, frames: 0, fetches: 0, xhrs: 0 };
  const { setTimeout, clearTimeout, setInterval, clearInterval, requestAnimationFrame, fetch } = window;
  window.setTimeout = (callback, ms, ...args) => {
    counts.timeouts++;
    const id = setTimeout(
      (...values) => {
        live.delete(id);
        callback(...values);
      },
      ms,
      ...args,
    );
    live.add(id);
    return id;
  };
  window.clearTimeout = (id) => {
    live.delete(id);
    clearTimeout(id);
  };
  window.setInterval = (callback, ms, ...args) => {
    counts.intervals++;
    const id = setInterval(callback, ms, ...args);
    live.add(id);
    return id;
  };
  window.clearInterval = (id) => {
    live.delete(id);
    clearInterval(id);
  };
  window.requestAnimationFrame = (callback) => {
    counts.frames++;
    return requestAnimationFrame(callback);
  };
  window.fetch = (...args) => {
    counts.fetches++;
    return fetch(...args);
  };
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    counts.xhrs++;
    return send.apply(this, args);
  };
  window.benchTimers = () => ({ ...counts, live: live.size });
}

/** Counters and CPU; the CPU is read inside the counters' reading, so the probe's own script is outside the window. */
async function snapshot(page, cdp, first) {
  const read = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    const metric = (name) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1_000;
    return { scriptMs: metric('ScriptDuration'), taskMs: metric('TaskDuration') };
  };
  const timers = () => page.evaluate(() => window.benchTimers());
  if (first) {
    const counted = await timers();
    return { ...counted, ...(await read()) };
  }
  const cpu = await read();
  return { ...(await timers()), ...cpu };
}

/** What the page did during `ms` of idleness: timers and requests started, CPU spent, timers pending. */
export async function idlePage(page, ms) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  // Let the last answers of the previous phase go out first.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = await snapshot(page, cdp, true);
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = await snapshot(page, cdp, false);
  await cdp.detach();
  const started = (key) => after[key] - before[key];
  return {
    windowMs: ms,
    timersStarted: started('timeouts') + started('intervals') + started('frames'),
    requestsStarted: started('fetches') + started('xhrs'),
    liveTimers: after.live,
    scriptMs: started('scriptMs'),
    taskMs: started('taskMs'),
  };
}
