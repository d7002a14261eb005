// The bench page with one system connected, for the tools that look inside it (page-profile.mjs,
// page-alloc.mjs): ptth's own connection, or the bare long-poll loop.

/**
 * Opens the bench page of `server` in `browser`, connects `system` ('ptth' or 'bare') and warms
 * it up with 2,000 calls with 256 in flight; the page.
 */
export async function pageWithSystem(browser, server, system) {
  const page = await browser.newPage();
  await page.goto(server.url);
  if (system === 'bare') await page.evaluate(() => window.bench.bare());
  else {
    await page.evaluate(() => window.ptth.connect());
    await page.waitForFunction(() => window.ptth.connection?.state === 'open');
  }
  await server.ask({ type: 'throughput', system, total: 2_000, inFlight: 256 });
  return page;
}
