// Timing loops shared by every system: sequential latency and throughput with requests in flight.

/** The value at percentile `p` (0–100) of an ascending array. */
export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

/** The median of some numbers. */
export function median(values) {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** p50 and p99 of `count` sequential calls, in ms, after `warmup` untimed ones. */
export async function latency(call, { warmup, count }) {
  for (let i = 0; i < warmup; i++) await call();
  const times = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await call();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

/** Answers per second: `total` calls with `inFlight` of them outstanding at any time. */
export async function throughput(call, { total, inFlight }) {
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next++ < total) await call();
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, total) }, worker));
  return total / ((performance.now() - start) / 1_000);
}
