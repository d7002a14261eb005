// Where the end-to-end tests and the bench find Chromium, and how they launch it.
// Playwright cannot download its own browser here: Debian's package is used
// (scripts/ensure-chromium.mjs installs it). PTTH_CHROMIUM names another binary.

/** The Chromium binary to launch. */
export const chromiumPath = process.env.PTTH_CHROMIUM || '/usr/bin/chromium';

/** Flags for a headless run on a machine with no network but loopback, as root. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
