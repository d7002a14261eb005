import { defineConfig } from '@playwright/test';

const CI = !!process.env.CI;

export default defineConfig({
  testDir: 'e2e',
  timeout: 30_000,
  expect: { timeout: 5_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: CI,
  retries: CI ? 2 : 0,
  reporter: 'list',
  use: {
    browserName: 'chromium',
    trace: 'on-first-retry',
    launchOptions: {
      // Playwright cannot download its own browser here: use Debian's (scripts/ensure-chromium.mjs).
      executablePath: process.env.PTTH_CHROMIUM || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
