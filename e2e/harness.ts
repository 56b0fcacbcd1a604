/**
 * The browser tests' fixtures on top of Playwright Test (a fresh page and context per test come with
 * it): the served lab's `baseUrl` (one `vite preview` of dist/ per run), `note` for lines printed under
 * the result and kept in the report, and the page's errors, attached to a failure. And
 * `expect(condition, message)`, a plain assertion whose message says what was expected.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base } from '@playwright/test';
import { serverUrl, startServer } from './browser';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const lab = base.extend<{ note: (line: string) => void; pageErrors: string[] }, { baseUrl: string }>({
  // One `vite preview` of dist/ for the whole run (one worker).
  baseUrl: [
    async ({}, use) => {
      if (!existsSync(join(root, 'dist', 'index.html'))) throw new Error('dist/ is missing: run `vite build` first (npm run e2e does).');
      const server = await startServer(root);
      try {
        await use(serverUrl(server));
      } finally {
        await server.close();
      }
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  pageErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`console error: ${msg.text()}`);
    });
    await use(errors);
  },
  note: async ({}, use, testInfo) => {
    await use((line) => {
      console.log(`    ${line}`);
      testInfo.annotations.push({ type: 'note', description: line });
    });
  },
});

lab.afterEach(async ({ pageErrors }, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus && pageErrors.length > 0) {
    await testInfo.attach('page errors', { body: pageErrors.slice(-10).join('\n'), contentType: 'text/plain' });
    for (const line of pageErrors.slice(-10)) console.log(`    ${line}`);
  }
});

/** Playwright Test's `test` with the lab's fixtures; each test sets its own time limit (`test.setTimeout`). */
export const test = lab;

/** A plain assertion with a message that says what was expected. */
export function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
