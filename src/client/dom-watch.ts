/**
 * Watching a node: resolves when what an expression serializes to changes (DOM mutations, or
 * the user typing, which changes no attribute), or with `false` when `ms` pass first.
 */

/** Waits up to `ms` for `current()` to differ from `initial`; resolves whether it did. */
export function waitForChange(
  document: Document,
  current: () => string,
  initial: string,
  ms: number,
): Promise<boolean> {
  return new Promise((resolve) => {
    const Observer = document.defaultView?.MutationObserver ?? MutationObserver;
    let queued = false;
    const finish = (changed: boolean) => {
      observer.disconnect();
      document.removeEventListener('input', onEvent, true);
      document.removeEventListener('change', onEvent, true);
      clearTimeout(timer);
      resolve(changed);
    };
    const check = () => {
      queued = false;
      if (current() !== initial) finish(true);
    };
    // Many mutations in one task are checked once, after the task.
    const onEvent = () => {
      if (queued) return;
      queued = true;
      queueMicrotask(check);
    };
    const observer = new Observer(onEvent);
    observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    document.addEventListener('input', onEvent, true);
    document.addEventListener('change', onEvent, true);
    const timer = setTimeout(() => finish(false), ms);
  });
}

/** The `wait` preference of a request (RFC 7240 §4.3) in seconds, capped at `max`; 0 when absent. */
export function preferredWait(request: { headers: { get(name: string): string | null } }, max: number): number {
  const match = /(?:^|[,;\s])wait\s*=\s*"?(\d+)/i.exec(request.headers.get('prefer') ?? '');
  return match ? Math.min(Number(match[1]), max) : 0;
}
