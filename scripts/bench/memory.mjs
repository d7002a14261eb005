// A scale server's memory after garbage collection (needs --expose-gc), as the scale test reads it.
import { writeHeapSnapshot } from 'node:v8';

let snapshots = 0;

/** Heap, RSS and off-heap bytes after four rounds of GC; PTTH_BENCH_HEAP_SNAPSHOT=DIR also writes a heap snapshot. */
export async function memory() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const { heapUsed, rss, external, arrayBuffers } = process.memoryUsage();
  // A snapshot at each measure (the base, then N), to diff.
  const dir = process.env.PTTH_BENCH_HEAP_SNAPSHOT;
  if (dir) writeHeapSnapshot(`${dir}/scale-${process.pid}-${++snapshots}.heapsnapshot`);
  return { heapUsed, rss, external, arrayBuffers };
}
