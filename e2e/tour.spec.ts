/**
 * The demo tour, run by the built `ptth tour` on the demo page while a person types a name into
 * the form; the page it leaves behind is README's screenshot (docs/tour.png).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { expect, test } from '../src/test/index.ts';

test.use({ ptthPage: '/', viewport: { width: 1000, height: 1300 } });

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}

test('ptth tour counts, edits the list and greets the name typed into the form', async ({ ptth, page }) => {
  test.setTimeout(60_000);
  const tour = spawn('dist/server/cli.js', ['tour', ptth.clientId.slice(0, 6), '--delay', '150'], {
    env: { ...process.env, PTTH_URL: ptth.server.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let said = '';
  tour.stdout?.on('data', (chunk) => {
    said += chunk;
  });
  tour.stderr?.on('data', (chunk) => {
    said += chunk;
  });
  // The tour is a separate Node process that paces itself: on a busy machine its steps take seconds.
  const slow = { timeout: 20_000 };
  try {
    await expect(page.locator('#counter')).toHaveText('5', slow);
    await expect(page.locator('#todo li')).toHaveText(
      ['curl this tab', 'write the tour', 'take a screenshot', 'ship it!'],
      slow,
    );
    await expect.poll(() => said, slow).toContain('3. The form, watched as you type');
    await page.locator('#name').pressSequentially('Ada', { delay: 80 });
    await expect(page.locator('h1')).toHaveText('Hello, Ada!', slow);
    await expect.poll(() => said, slow).toContain('the user typed "Ada"');
    await expect(page.locator('#log tbody tr').first()).toContainText('PUT');
  } finally {
    tour.kill('SIGINT');
  }
  expect(await exited(tour), said).toBe(0);
  expect(said).toContain('The tour is over.');
  await page.locator('#name').blur();
  // README's picture is replaced only when asked (PTTH_SCREENSHOT=1), so a test run leaves the
  // tree clean; every run keeps its own copy with the test's results.
  const path = process.env.PTTH_SCREENSHOT === '1' ? 'docs/tour.png' : test.info().outputPath('tour.png');
  await page.screenshot({ path });
});
