/**
 * A namespaced debug logger, off by default. Turn it on with `localStorage.debug = 'ptth:*'` in a
 * page or `DEBUG=ptth:*` in Node. Calls written as `DEBUG: log(...)` are dropped from the
 * minified client bundle (esbuild `dropLabels`).
 */

function pattern(): string {
  const g = globalThis as { localStorage?: Storage; process?: { env?: Record<string, string | undefined> } };
  try {
    return g.localStorage?.getItem('debug') ?? g.process?.env?.DEBUG ?? '';
  } catch {
    return g.process?.env?.DEBUG ?? '';
  }
}

function enabled(namespace: string): boolean {
  return pattern()
    .split(/[\s,]+/)
    .some(
      (rule) => rule !== '' && (rule === namespace || (rule.endsWith('*') && namespace.startsWith(rule.slice(0, -1)))),
    );
}

/** A logger for `namespace` (e.g. `ptth:long-poll`) that prints only when enabled. */
export function debug(namespace: string): (...args: unknown[]) => void {
  return (...args) => {
    if (enabled(namespace)) console.debug(`[${namespace}]`, ...args);
  };
}
