// Progress lines on stderr, timed from the start of the whole run (children inherit the start).

process.env.PTTH_BENCH_STARTED ??= String(Date.now());
const started = Number(process.env.PTTH_BENCH_STARTED);

/** Writes `[N s] text` to stderr. */
export function progress(text) {
  process.stderr.write(`[${((Date.now() - started) / 1_000).toFixed(0)} s] ${text}\n`);
}
