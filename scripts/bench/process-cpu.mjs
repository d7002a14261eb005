// CPU time used by Chromium (the browser process and all its children: renderer, network
// service, GPU...) or by one process, read from /proc: unlike wall time, it barely depends on
// what else the machine is running. Linux only; elsewhere the figures are null.
//
// Each thread's time comes from /proc/PID/task/TID/schedstat, in nanoseconds. The per-process
// utime and stime of /proc/PID/stat count in clock ticks (10 ms): a smoke run's few hundred
// answers of a bare WebSocket cost the renderer less than one tick and read as 0.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** pid → {ppid, comm} for every process we can read. */
function processes() {
  const table = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      // After "pid (comm) ": state ppid ...
      table.set(Number(name), {
        ppid: Number(stat.slice(close + 2).split(' ')[1]),
        comm: stat.slice(stat.indexOf('(') + 1, close),
      });
    } catch {
      // The process ended while we looked.
    }
  }
  return table;
}

/** Nanoseconds of CPU one thread has used: schedstat's first field, else its stat ticks. */
function threadNs(pid, tid) {
  const dir = `/proc/${pid}/task/${tid}`;
  try {
    return Number(readFileSync(`${dir}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    try {
      const stat = readFileSync(`${dir}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime is field 14 of the whole line, stime 15.
      return ((Number(fields[11]) + Number(fields[12])) / TICKS) * 1e9;
    } catch {
      return null;
    }
  }
}

/** "pid/tid" → nanoseconds used so far, for every live thread of `pids`. */
function threadTimes(pids) {
  const times = new Map();
  for (const pid of pids) {
    let tids;
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const ns = threadNs(pid, tid);
      if (ns !== null) times.set(`${pid}/${tid}`, ns);
    }
  }
  return times;
}

/**
 * Starts a CPU meter over the processes `pids()` names (asked again at each reading, so ones
 * started since count from zero); the returned function gives the milliseconds they used since,
 * or null when none is left or off Linux. A thread that ends between the start and a reading
 * loses its time in between: rare over the seconds a bench phase lasts.
 */
function meter(pids) {
  if (process.platform !== 'linux') return () => null;
  const start = threadTimes(pids());
  return () => {
    const now = threadTimes(pids());
    if (now.size === 0) return null;
    let ns = 0;
    for (const [thread, used] of now) ns += used - (start.get(thread) ?? 0);
    return ns / 1e6;
  };
}

/** Starts a CPU meter on one process (see `meter`). */
export function processCpu(pid) {
  return meter(() => [pid]);
}

/** Whether process `pid` is one of Chromium's renderers (`--type=renderer`: where pages run). */
function isRenderer(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer');
  } catch {
    return false;
  }
}

/** The pids of the Chromium processes this process started, and of all their descendants. */
function chromiumPids() {
  const table = processes();
  const children = new Map();
  for (const [pid, info] of table) {
    if (!children.has(info.ppid)) children.set(info.ppid, []);
    children.get(info.ppid).push(pid);
  }
  const found = [];
  const stack = (children.get(process.pid) ?? []).filter((pid) => /chrom/i.test(table.get(pid).comm));
  while (stack.length > 0) {
    const pid = stack.pop();
    found.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** Whether any Chromium process this process started is still running (Linux only; else false). */
export function chromiumRunning() {
  return process.platform === 'linux' && chromiumPids().length > 0;
}

/**
 * Starts a CPU meter on the Chromium processes this process started (with `{ renderer: true }`,
 * on their renderers only: the pages' JavaScript, DOM and their side of fetch; the rest is the
 * browser process, the network service and the GPU process). See `meter`.
 */
export function chromiumCpu({ renderer = false } = {}) {
  return meter(() => (renderer ? chromiumPids().filter(isRenderer) : chromiumPids()));
}
