// How much each phase of the bench does: the full run, and the smoke run (tiny counts, < 30 s).

/** The counts of a full run (issue 7's task). */
export const FULL = {
  mode: 'full',
  /**
   * Untimed sequential calls before each system's timed ones. 2,000 since session 7: the gateway's
   * caller is a fresh node:http process, and after 200 calls its own code still ran cold (the
   * gateway's p50 0.5–0.6 ms against 0.24–0.27 ms after 2,000, with the same warm server).
   */
  warmup: 2_000,
  sequential: 2_000,
  total: 10_000,
  inFlight: 256,
  /** Untimed answers with `inFlight` in flight before the timed `total`, per system (warms its batch path up). */
  totalWarmup: 20_000,
  /** Round trips of a GET of the 1,000-row table, per system. */
  largeGets: 50,
  /** Timed rounds of each in-page DOM operation (after a few untimed ones). */
  domRounds: 20,
  /** How long the idle page is watched, in ms. */
  idleMs: 5_000,
  /** Simulated idle long-poll clients, one server process per N; the first `base` are the memory baseline. */
  scale: [1_000, 10_000],
  scaleBase: 100,
  fanoutRounds: 3,
  /** A scale run that takes longer than this is cut (and the output says so). */
  scaleBudgetMs: 120_000,
};

/** The counts of `--smoke`: every phase runs, on tiny numbers. */
export const SMOKE = {
  mode: 'smoke',
  warmup: 10,
  sequential: 50,
  total: 200,
  inFlight: 16,
  totalWarmup: 50,
  largeGets: 3,
  domRounds: 3,
  idleMs: 300,
  scale: [40, 120],
  scaleBase: 10,
  fanoutRounds: 1,
  scaleBudgetMs: 20_000,
};
