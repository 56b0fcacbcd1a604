/**
 * `npm run bench:demo [-- --runs 2]`: the quick demo as a class meets it — the built lab (`vite build`
 * first) at its default URL in Chromium, a fresh browser profile per run (no cache, no remembered
 * backend). Per run: how long after the page was asked for the backend badge settled and what it chose;
 * after Run, when the first chart point appeared, when the first defense drew its first epoch, and when
 * the run ended; the final ASR of plain LoRA and W2SDefense. A measurement, never a test: run it on a
 * quiet machine (other jobs share the cores), and read the median. `--screenshot FILE` keeps the page of
 * the last run once done, at 1400 × 1000 (the README's picture: the demo as it ends, not a test's
 * shortened run).
 */
import { parseArgs } from 'node:util';
import { median } from '../src/cli/bench-steps';
import { launchBrowser, serverUrl, startServer } from './browser';
import { backendName, byTestId, labResults, openLab, waitForRunEnd } from './lab-page';
import type { Page } from '@playwright/test';

interface DemoTiming {
  backend: string;
  badgeS: number;
  firstPointS: number;
  firstDefensePointS: number;
  totalS: number;
  asr: string;
}

/** Seconds since `t0` (ms, `performance.now()` of this process) at which `ready` holds on the page. */
async function secondsUntil(page: Page, t0: number, ready: () => boolean): Promise<number> {
  await page.waitForFunction(ready, undefined, { timeout: 900_000, polling: 100 });
  return (performance.now() - t0) / 1000;
}

async function oneRun(page: Page, baseUrl: string, screenshot?: string): Promise<DemoTiming> {
  const opened = performance.now();
  await openLab(page, baseUrl);
  const backend = (await backendName(page)).trim();
  const badgeS = (performance.now() - opened) / 1000;
  const pressed = performance.now();
  await page.click(byTestId('run'));
  // A chart's data-methods lists the methods that have drawn at least one point.
  const firstPointS = await secondsUntil(page, pressed, () => (document.querySelector('[data-testid="chart-asr"]')?.getAttribute('data-methods') ?? '') !== '');
  const firstDefensePointS = await secondsUntil(page, pressed, () => /(^|,)(lora|w2sdefense)(,|$)/.test(document.querySelector('[data-testid="chart-asr"]')?.getAttribute('data-methods') ?? ''));
  const end = await waitForRunEnd(page, 900_000);
  const totalS = (performance.now() - pressed) / 1000;
  if (end !== 'done') throw new Error(`the demo ended "${end}"`);
  if (screenshot) await page.screenshot({ path: screenshot });
  const results = await labResults(page);
  const asrOf = (stage: 'defense:lora' | 'defense:w2sdefense') => ((results?.stages[stage]?.final?.asr ?? Number.NaN) * 100).toFixed(1);
  return { backend, badgeS, firstPointS, firstDefensePointS, totalS, asr: `lora ${asrOf('defense:lora')} %, w2sdefense ${asrOf('defense:w2sdefense')} %` };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '2' }, screenshot: { type: 'string' } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be an integer ≥ 1, got "${values.runs}"`);
  const server = await startServer(process.cwd());
  const browser = await launchBrowser();
  const timings: DemoTiming[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } }); // a fresh profile: nothing cached, nothing remembered
      const t = await oneRun(await context.newPage(), serverUrl(server), r === runs - 1 ? values.screenshot : undefined);
      await context.close();
      timings.push(t);
      console.log(
        `run ${r + 1}: ${t.backend}, badge ${t.badgeS.toFixed(1)} s; after Run: first chart point ${t.firstPointS.toFixed(1)} s, ` +
          `first defense epoch ${t.firstDefensePointS.toFixed(1)} s, done ${t.totalS.toFixed(1)} s; ${t.asr}`,
      );
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const med = (pick: (t: DemoTiming) => number) => median(timings.map(pick)).toFixed(1);
  console.log(
    `\nmedian of ${runs}: badge ${med((t) => t.badgeS)} s, first chart point ${med((t) => t.firstPointS)} s, ` +
      `first defense epoch ${med((t) => t.firstDefensePointS)} s, quick demo ${med((t) => t.totalS)} s`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
