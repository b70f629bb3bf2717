import { defineConfig, devices } from '@playwright/test';
import type { Transport } from './tests/e2e/fixtures';
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from './tools/chromium';

/**
 * End-to-end tests of the real renderer against the real services.
 *
 * - `chromium`: Debian's Chromium against the web host (`src-main/web`, what
 *   `npm run start:web` serves), started by tests/e2e/global-setup.ts on a random port with a
 *   fresh data folder and the demo staff.
 * - `electron`: the same specs in the real Electron app; every test skips with the reason when
 *   Electron's binary is not installed (it cannot be downloaded on our CI machines).
 *
 * One worker: a workstation has one staff session, and the shared host is one workstation.
 */
export default defineConfig<object, { transport: Transport }>({
  testDir: 'tests/e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results/e2e',
  globalSetup: './tests/e2e/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]] : [['list']],
  use: {
    viewport: { width: 1366, height: 768 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: CHROMIUM_EXECUTABLE,
      args: [...CHROMIUM_ARGS],
    },
  },
  projects: [
    {
      name: 'chromium',
      use: { ...devices['Desktop Chrome'], viewport: { width: 1366, height: 768 }, transport: 'web' },
    },
    {
      name: 'electron',
      use: { transport: 'electron' },
    },
  ],
});
