// CPU time used by Chromium (the browser process and all its children: renderer, network
// service, GPU...) or by one process, read from /proc: unlike wall time, it barely depends on
// what else the machine is running. Linux only; elsewhere the figures are null.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** pid → {ppid, comm, ms} for every process we can read. */
function processes() {
  const table = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      // After "pid (comm) ": state ppid ... utime is field 14 of the whole line, stime 15.
      table.set(Number(name), {
        ppid: Number(fields[1]),
        comm,
        ms: ((Number(fields[11]) + Number(fields[12])) / TICKS) * 1_000,
      });
    } catch {
      // The process ended while we looked.
    }
  }
  return table;
}

/** Milliseconds of CPU used so far by one process, or null. */
export function processCpuMs(pid) {
  if (process.platform !== 'linux') return null;
  return processes().get(pid)?.ms ?? null;
}

/** Whether process `pid` is one of Chromium's renderers (`--type=renderer`: where pages run). */
function isRenderer(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer');
  } catch {
    return false;
  }
}

/**
 * Milliseconds of CPU used so far by the Chromium processes this process started (with
 * `{ renderer: true }`, by their renderers only: the pages' JavaScript, DOM and their side of
 * fetch; the rest is the browser process, the network service and the GPU process), or null.
 */
export function chromiumCpuMs({ renderer = false } = {}) {
  if (process.platform !== 'linux') return null;
  const table = processes();
  const children = new Map();
  for (const [pid, info] of table) {
    if (!children.has(info.ppid)) children.set(info.ppid, []);
    children.get(info.ppid).push(pid);
  }
  const roots = (children.get(process.pid) ?? []).filter((pid) => /chrom/i.test(table.get(pid).comm));
  let total = 0;
  const stack = [...roots];
  while (stack.length > 0) {
    const pid = stack.pop();
    if (!renderer || isRenderer(pid)) total += table.get(pid)?.ms ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return roots.length > 0 ? total : null;
}
