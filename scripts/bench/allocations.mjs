// What a sampling heap profile says was allocated, by function: bytes per call of the work
// profiled, the largest first. Used by page-alloc.mjs for the page and the server alike.

/** [name, bytes] per function of a `HeapProfiler.stopSampling` profile, and the total. */
export function allocations(profile) {
  const byFunction = new Map();
  let total = 0;
  const walk = (node) => {
    const { functionName, url, lineNumber } = node.callFrame;
    if (node.selfSize > 0) {
      const name = `${functionName || '(anonymous)'} ${url.split('/').pop() || ''}:${lineNumber + 1}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + node.selfSize);
      total += node.selfSize;
    }
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  return { total, byFunction: [...byFunction].sort((a, b) => b[1] - a[1]) };
}

/** The allocations of `profile` as lines of bytes per call, `top` functions. */
export function allocationLines(label, profile, calls, top = 20) {
  const { total, byFunction } = allocations(profile);
  const lines = [`${label}: ${(total / calls).toFixed(0)} B allocated per answer`];
  for (const [name, bytes] of byFunction.slice(0, top))
    lines.push(`  ${(bytes / calls).toFixed(0).padStart(6)} ${name}`);
  return lines;
}
