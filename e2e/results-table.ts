/**
 * The results table checked against the worker's results, for the browser tests that end a run.
 */
import type { Page } from '@playwright/test';
import { expect } from './harness';
import { byTestId } from './lab-page';
import type { RunResults, StageName } from '../src/engine/events';
import { DEFENSE_IDS } from '../src/engine/defenses/catalog';

export const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Every row the results table can have, and the stage it comes from: the reference models, then every defense of the catalog. */
export const METHOD_STAGE: Record<string, StageName> = {
  'task-model': 'task',
  poisoned: 'poison',
  teacher: 'teacher',
  ...Object.fromEntries(DEFENSE_IDS.map((id) => [id, `defense:${id}` as StageName])),
};


/** Every table cell equals the worker's result for its method, formatted as a percentage. */
export async function expectTableMatches(page: Page, results: RunResults): Promise<number> {
  let cells = 0;
  for (const [method, stage] of Object.entries(METHOD_STAGE)) {
    const final = results.stages[stage]?.final;
    const ca = page.locator(byTestId(`result-${method}-ca`));
    if (!final) {
      expect((await ca.count()) === 0, `no ${method} in the results, yet the table has a row for it`);
      continue;
    }
    const caText = await ca.textContent();
    const asrText = await page.locator(byTestId(`result-${method}-asr`)).textContent();
    expect(caText === percent(final.ca), `${method} CA cell "${caText}" ≠ worker's ${percent(final.ca)}`);
    expect(asrText === percent(final.asr), `${method} ASR cell "${asrText}" ≠ worker's ${percent(final.asr)}`);
    cells += 2;
  }
  // The clean-model floor (the public task model on the same triggered sentences) and the sentence count.
  const floors = results.floors;
  if (floors?.cleanModelAsr != null) {
    const floorText = await page.locator(byTestId('results-clean-floor-asr')).textContent();
    expect(floorText === percent(floors.cleanModelAsr), `clean-model floor cell "${floorText}" ≠ worker's ${percent(floors.cleanModelAsr)}`);
  }
  if (floors) {
    const header = (await page.locator(byTestId('results-asr-header')).textContent()) ?? '';
    expect(header.includes(`(${floors.triggered} triggered)`), `ASR header names the ${floors.triggered} triggered sentences: "${header}"`);
  }
  return cells;
}
