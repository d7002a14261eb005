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

/** Latency, throughput and the p50 of a large GET for one system, with progress on stderr. */
export async function measureSystem(name, { small, large }, counts, progress) {
  progress(`${name}: ${counts.sequential} sequential after ${counts.warmup} warm-up...`);
  const { p50, p99 } = await latency(small, { warmup: counts.warmup, count: counts.sequential });
  progress(`${name}: ${counts.total} with ${counts.inFlight} in flight...`);
  const perSecond = await throughput(small, counts);
  progress(`${name}: ${counts.largeGets} GETs of the 1,000-row table...`);
  const big = await latency(large, { warmup: 3, count: counts.largeGets });
  return { p50, p99, perSecond, largeGetP50: big.p50 };
}
