/**
 * The browser tests (`npm run e2e`): Playwright Test on Debian's Chromium (`executablePath`; nothing is
 * downloaded), one worker, in the order the files and tests are written (they share one served build
 * and a 2-core machine). `npx playwright test -g "text"` runs the tests whose names match; a failure
 * keeps its trace and screenshot under test-results/, and the HTML report is written there too.
 */
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './e2e/browser';

export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.e2e.ts',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'test-results/report' }]],
  outputDir: 'test-results/artifacts',
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
    viewport: { width: 1400, height: 1000 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
