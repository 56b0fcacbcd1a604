/**
 * The page on a classroom projector: no horizontal scrolling at 1024 × 768 or 1280 × 720, before,
 * during and after a run and on every explore tab; at 1400 × 900 the stage strip of a defense bench
 * leaves the whole ASR chart in view. `E2E_SCREENSHOT_DIR=docs/screenshots` keeps a
 * screenshot of each view at each size there (the docs' pictures); otherwise they go to the test's
 * output folder.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './harness';
import { backendName, byTestId, errorText, openLab, TINY_RUN, waitForRunEnd } from './lab-page';
import { DEFENSE_IDS } from '../src/engine/defenses/catalog';

/** How far the page reaches past the window, and the elements that stick out (tables scroll in their own box). */
async function overflow(page: Page): Promise<{ extra: number; culprits: string[] }> {
  return page.evaluate(() => {
    const culprits = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-scroll') && !e.closest('svg'))
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}${(e as HTMLElement).dataset.testid ? `[${(e as HTMLElement).dataset.testid}]` : ''}.${String((e as HTMLElement).className)}`);
    return { extra: document.documentElement.scrollWidth - window.innerWidth, culprits };
  });
}

for (const [width, height] of [
  [1024, 768],
  [1280, 720],
] as const) {
  test(`fits ${width} × ${height} with no horizontal scrolling: before, during and after a run, and on every tab`, async ({ page, baseUrl, note }, testInfo) => {
    test.setTimeout(180_000);
    const dir = process.env.E2E_SCREENSHOT_DIR ?? testInfo.outputDir;
    mkdirSync(dir, { recursive: true });
    const shot = (view: string) => page.screenshot({ path: join(dir, `${width}x${height}-${view}.png`) });
    await page.setViewportSize({ width, height });
    await openLab(page, baseUrl, { hash: TINY_RUN, backend: 'wasm' });
    await backendName(page);
    const check = async (view: string) => {
      const { extra, culprits } = await overflow(page);
      expect(extra <= 0, `${view}: the page is ${extra} px wider than the ${width} px window (${culprits.join(', ')})`);
    };
    await check('before the run');
    await shot('setup');
    await page.click(byTestId('run'));
    await page.waitForSelector('.stage.running', { timeout: 60_000 });
    await check('during the run');
    const end = await waitForRunEnd(page, 150_000);
    expect(end === 'done', `the run ends "${end}" (${await errorText(page)})`);
    await check('after the run');
    await shot('results');
    for (const tab of ['try', 'features', 'location', 'compare']) {
      await page.click(byTestId(`tab-${tab}`));
      await page.waitForTimeout(500);
      await check(`the ${tab} tab`);
      if (tab === 'location') {
        const verdict = (await page.locator(byTestId('location-verdict')).textContent()) ?? '';
        expect(/backdoor|no single part|no backdoor/i.test(verdict), `the location view ends in a sentence: "${verdict}"`);
      }
      await page.locator(byTestId(`tab-${tab}`)).scrollIntoViewIfNeeded();
      await shot(tab);
    }
    note(`no horizontal scrolling at ${width} × ${height} on 7 views; screenshots in ${dir}`);
  });
}

/** Where the ASR chart and the stage strip sit in the window, in px. */
async function runView(page: Page): Promise<{ chartTop: number; chartBottom: number; stripHeight: number; height: number; scrolled: number }> {
  return page.evaluate(() => {
    const chart = document.querySelector('[data-testid="chart-asr"]')!.getBoundingClientRect();
    const strip = document.querySelector('.pipeline')!.getBoundingClientRect();
    return { chartTop: chart.top, chartBottom: chart.bottom, stripHeight: strip.height, height: window.innerHeight, scrolled: window.scrollY };
  });
}

test('at 1400 × 900 a defense bench’s 13 stages leave the whole ASR chart in view: before, during and after a run', async ({ page, baseUrl, note }, testInfo) => {
  test.setTimeout(300_000);
  await page.setViewportSize({ width: 1400, height: 900 });
  // Every defense (13 stages, the most a run has); ONION screens 16 sentences so the run stays short.
  const bench = TINY_RUN.replace('defense.methods=lora,w2sdefense', `defense.methods=${DEFENSE_IDS.join(',')}&defense.onion.maxTexts=16`);
  await openLab(page, baseUrl, { hash: bench, backend: 'wasm' });
  await backendName(page);
  const stages = await page.locator('[data-testid^="stage-"]').count();
  expect(stages === 4 + DEFENSE_IDS.length, `the strip shows every stage, got ${stages}`);
  const check = async (view: string) => {
    const v = await runView(page);
    note(`${view}: strip ${v.stripHeight.toFixed(0)} px tall, ASR chart ${v.chartTop.toFixed(0)}–${v.chartBottom.toFixed(0)} px of ${v.height}`);
    expect(v.scrolled === 0, `${view}: the page was not scrolled (${v.scrolled} px)`);
    // Compact: the 13 stages take a few lines, not a third of the screen (as cards they took 291 px).
    expect(v.stripHeight <= 160, `${view}: the stage strip is ${v.stripHeight.toFixed(0)} px tall, more than 160 px`);
    expect(v.chartTop >= 0 && v.chartBottom <= v.height, `${view}: the ASR chart (${v.chartTop.toFixed(0)}–${v.chartBottom.toFixed(0)} px) is not wholly inside the ${v.height} px window`);
    const { extra, culprits } = await overflow(page);
    expect(extra <= 0, `${view}: the page is ${extra} px wider than the window (${culprits.join(', ')})`);
  };
  await check('before the run');
  await page.click(byTestId('run'));
  await page.waitForSelector('.stage.running', { timeout: 60_000 });
  await check('during the run');
  // Later in the run: the defenses' chips running, the earlier ones done.
  await page.waitForSelector('[data-testid^="stage-defense:"][data-status="running"]', { timeout: 120_000 });
  await check('during a defense');
  const end = await waitForRunEnd(page, 200_000);
  expect(end === 'done', `the run ends "${end}" (${await errorText(page)})`);
  await check('after the run');
  await page.screenshot({ path: join(process.env.E2E_SCREENSHOT_DIR ?? testInfo.outputDir, '1400x900-bench-results.png') });
});
