/** What the tests do to the lab page, by its stable `data-testid` hooks. */
import type { Page } from '@playwright/test';
import type { RunResults } from '../src/engine/events';

export const byTestId = (id: string) => `[data-testid="${id}"]`;

/**
 * A run small enough for the WASM backend in seconds: the quick preset cut down to a slice of the
 * data, the smaller shipped student (2×64) on 24 tokens, a few language-model steps and one epoch per
 * stage, two defenses — the scale the tests' time limits were measured at. One poisoning epoch plants
 * no backdoor, so `poison.untilAsr=0` (fixed epochs, no minimum) keeps the defenses running: the tests
 * check mechanics. Overriding data.* also keeps every stage training live (no published model fits).
 */
export const TINY_RUN =
  'preset=quick&data.maxTrain=96&data.maxTest=48&data.maxLength=24' +
  '&models.student.dModel=64&models.student.heads=2&models.student.dFF=128&pretrain.studentSteps=4&pretrain.teacherSteps=2' +
  '&taskModel.epochs=1&poison.epochs=1&poison.untilAsr=0&poison.minEpochs=0&teacher.epochs=1&defense.epochs=1&defense.methods=lora,w2sdefense';

/** Opens the lab; `backend` adds `?backend=`, `query` any other query string (`kernels=tfjs`). */
export async function openLab(page: Page, baseUrl: string, opts: { hash?: string; backend?: string; query?: string } = {}): Promise<void> {
  const params = [opts.backend ? `backend=${opts.backend}` : '', opts.query ?? ''].filter(Boolean);
  const query = params.length ? `?${params.join('&')}` : '';
  await page.goto(`${baseUrl}${query}${opts.hash ? `#${opts.hash}` : ''}`);
  await page.waitForSelector(byTestId('run'));
}

/** The backend the worker settled on, once it has. */
export async function backendName(page: Page, timeoutMs = 90_000): Promise<string> {
  const badge = page.locator(byTestId('backend'));
  await badge.waitFor({ timeout: timeoutMs });
  return (await badge.textContent()) ?? '';
}

/** Presses Run and waits until the run is over; says how it ended (see `waitForRunEnd`). */
export async function runToEnd(page: Page, timeoutMs: number): Promise<string> {
  await page.click(byTestId('run'));
  return waitForRunEnd(page, timeoutMs);
}

/** Waits until the run is over (done, cancelled or failed) and says which. */
export async function waitForRunEnd(page: Page, timeoutMs: number): Promise<string> {
  try {
    await page.waitForFunction(
      () => ['done', 'cancelled', 'error'].includes(document.querySelector('[data-testid="run-status"]')?.getAttribute('data-status') ?? ''),
      undefined,
      { timeout: timeoutMs, polling: 250 },
    );
  } catch {
    // Say how far the run got: that is the timing the preset's size must be judged by.
    throw new Error(`the run did not end within ${timeoutMs / 1000} s; the strip showed:\n      ${(await stripText(page)).join('\n      ')}`);
  }
  return (await page.locator(byTestId('run-status')).getAttribute('data-status')) ?? '';
}

/** One line per stage: its status and what its progress line says. */
async function stripText(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid^="stage-"]', (cards) =>
    cards.map((c) => `${c.getAttribute('data-testid')}: ${c.getAttribute('data-status')} — ${c.querySelector('.stage-detail')?.textContent ?? ''}`),
  );
}

export async function stageStatuses(page: Page): Promise<Record<string, string>> {
  return page.$$eval('[data-testid^="stage-"]', (cards) =>
    Object.fromEntries(cards.map((c) => [c.getAttribute('data-testid')!.slice('stage-'.length), c.getAttribute('data-status') ?? ''])),
  );
}

export async function errorText(page: Page): Promise<string | null> {
  const error = page.locator(byTestId('error'));
  return (await error.count()) > 0 ? await error.textContent() : null;
}

export async function labResults(page: Page): Promise<RunResults | undefined> {
  return page.evaluate(() => window.__labResults);
}

