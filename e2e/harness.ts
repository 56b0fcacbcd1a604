/**
 * A tiny browser-test harness: serve the built lab with `vite preview` on 127.0.0.1, drive Debian's
 * Chromium through playwright-core (never a downloaded browser), run registered tests one by one in
 * fresh contexts, and print one line per test and a closing `N passed, M failed`.
 */
import { preview, type PreviewServer } from 'vite';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The flags the project runs Chromium with: WebGPU on (SwiftShader here), nothing phoning home. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

interface TestContext {
  page: Page;
  context: BrowserContext;
  baseUrl: string;
  /** Lines printed under the test's result (timings, values seen). */
  note(line: string): void;
}

interface E2eTest {
  name: string;
  timeoutMs: number;
  fn(t: TestContext): Promise<void>;
  /** Set when the test is registered but not run here, with the reason (printed, and counted as skipped). */
  skipReason?: string;
}

const tests: E2eTest[] = [];

export function test(name: string, timeoutMs: number, fn: E2eTest['fn']): void {
  tests.push({ name, timeoutMs, fn });
}

/** Registers a test that runs only when `enabled`; otherwise it is reported as skipped with `reason`. */
export function testIf(enabled: boolean, reason: string, name: string, timeoutMs: number, fn: E2eTest['fn']): void {
  tests.push({ name, timeoutMs, fn, ...(enabled ? {} : { skipReason: reason }) });
}

export async function startServer(root: string): Promise<PreviewServer> {
  return preview({ root, logLevel: 'warn', preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false } });
}

export function serverUrl(server: PreviewServer): string {
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  return url;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Runs the registered tests whose names contain `filter` (or, for `!text`, do not); returns the
 * failure count.
 */
export async function runTests(browser: Browser, baseUrl: string, filter?: string): Promise<number> {
  const exclude = filter?.startsWith('!');
  const needle = exclude ? filter!.slice(1) : filter;
  const chosen = tests.filter((t) => !needle || t.name.includes(needle) !== exclude);
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const t of chosen) {
    if (t.skipReason) {
      skipped++;
      console.log(`- ${t.name} (skipped: ${t.skipReason})`);
      continue;
    }
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const notes: string[] = [];
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(`page error: ${error.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(`console error: ${msg.text()}`);
    });
    const started = Date.now();
    let failure: unknown;
    try {
      await withTimeout(t.fn({ page, context, baseUrl, note: (line) => notes.push(line) }), t.timeoutMs, `timed out after ${t.timeoutMs / 1000} s`);
    } catch (error) {
      failure = error;
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (failure === undefined) {
      passed++;
      console.log(`✔ ${t.name} (${seconds} s)`);
    } else {
      failed++;
      console.log(`✖ ${t.name} (${seconds} s)\n    ${failure instanceof Error ? (failure.stack ?? failure.message) : String(failure)}`);
      for (const line of pageErrors.slice(-10)) console.log(`    ${line}`);
    }
    for (const line of notes) console.log(`    ${line}`);
    await context.close();
  }
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  return failed;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A plain assertion with a message that says what was expected. */
export function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
