/**
 * `npm run e2e` (after `vite build`): serves dist/, runs every browser test in Chromium and exits
 * non-zero on any failure. `node --import tsx e2e/run.ts [filter]` runs the tests whose names contain
 * `filter` (`'!WebGPU'`: all but those); `E2E_SCREENSHOT=docs/screenshot.png` saves the page after the
 * quick run.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH, launchBrowser, runTests, serverUrl, startServer } from './harness';
import './setup.e2e';
import './explore.e2e';
import './webgpu.e2e';
import './offline.e2e';
import './a11y.e2e';
import './threads.e2e';
import './security.e2e';
import './faults.e2e';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<number> {
  if (!existsSync(join(root, 'dist', 'index.html'))) {
    console.error('dist/ is missing: run `vite build` first (npm run e2e does).');
    return 1;
  }
  if (!existsSync(CHROMIUM_PATH)) {
    console.error(`${CHROMIUM_PATH} is missing: install Debian's Chromium (apt-get install -y chromium).`);
    return 1;
  }
  const server = await startServer(root);
  const browser = await launchBrowser();
  try {
    return await runTests(browser, serverUrl(server), process.argv[2] ?? process.env.E2E_FILTER);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().then(
  (failures) => process.exit(failures > 0 ? 1 : 0),
  (error: unknown) => {
    console.error(error);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
