/**
 * The live charts after a run: hovering a point shows, for the epoch under the pointer, every method
 * shown with its CA, ASR and floor, the figures the worker reported for that epoch; the results name
 * the target class.
 */
import { expect, test } from './harness';
import { backendName, byTestId, errorText, labResults, openLab, runToEnd, TINY_RUN } from './lab-page';
import { METHOD_STAGE, percent } from './results-table';
import { METHOD_LABEL } from '../src/ui/method-style';
import type { Method } from '../src/store/methods';

test('hovering a point of the ASR chart shows each method’s CA, ASR and floor at that epoch, in words', async ({ page, baseUrl, note }) => {
  test.setTimeout(200_000);
  await openLab(page, baseUrl, { hash: TINY_RUN, backend: 'wasm' });
  await backendName(page);
  expect((await runToEnd(page, 170_000)) === 'done', `run done (${await errorText(page)})`);
  const results = (await labResults(page))!;
  // The finished run's target class, named as its data names it.
  const target = `${results.config.attack.targetLabel} (${results.data?.labelNames[results.config.attack.targetLabel]})`;
  const named = (await page.locator(byTestId('results-target')).textContent()) ?? '';
  expect(named === target && target === '0 (ham)', `the results name the run's target class "${target}": "${named}"`);
  const chart = page.locator(byTestId('chart-asr'));
  await chart.scrollIntoViewIfNeeded();
  expect((await page.locator(byTestId('chart-tooltip')).count()) === 0, 'no tooltip before the pointer is on a chart');

  // The last dot drawn: a method's point at its last epoch (≥ 1).
  const box = await chart.locator('.recharts-line-dot').last().boundingBox();
  expect(box !== null, 'the ASR chart draws points');
  const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
  // Two moves: the first brings the pointer onto the chart (which mounts the tooltip), the second is what it follows.
  await page.mouse.move(x - 3, y);
  await page.mouse.move(x, y);
  const tooltip = page.locator(byTestId('chart-tooltip'));
  await tooltip.waitFor({ timeout: 5_000 });
  const text = (await tooltip.textContent()) ?? '';
  note(`tooltip: ${text}`);
  const epoch = Number(await tooltip.getAttribute('data-epoch'));
  expect(epoch >= 1, `the tooltip names the epoch under the pointer: ${epoch}`);
  expect(text.includes(`Epoch ${epoch}`) && /CA/.test(text) && /ASR/.test(text) && /floor/.test(text), `the tooltip has the epoch, CA, ASR and floor: "${text}"`);

  // Every row is a method named as the legend names it, with the worker's figures for that epoch.
  const rows = await tooltip.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => ({ method: tr.getAttribute('data-method') ?? '', cells: [...tr.children].map((c) => c.textContent ?? '') })));
  expect(rows.some((r) => r.method === 'poisoned') && rows.some((r) => r.method === 'w2sdefense'), `the rows include the poisoned student and W2SDefense: ${rows.map((r) => r.method).join(', ')}`);
  for (const { method, cells } of rows) {
    const record = results.stages[METHOD_STAGE[method]!]?.epochs.find((e) => e.epoch === epoch);
    expect(record?.ca !== undefined && record.asr !== undefined && record.asrBase !== undefined, `${method} has CA, ASR and floor at epoch ${epoch} in the worker's results`);
    const want = [METHOD_LABEL[method as Method], percent(record.ca), percent(record.asr!), percent(record.asrBase!)];
    expect(JSON.stringify(cells) === JSON.stringify(want), `${method}'s row ${JSON.stringify(cells)} ≠ ${JSON.stringify(want)}`);
  }
  const cleanFloor = results.floors?.cleanModelAsr;
  if (cleanFloor != null) expect(text.includes(`Clean-model floor ${percent(cleanFloor)}`), `the tooltip gives the clean-model floor ${percent(cleanFloor)}`);

  // The pointer leaves: the tooltip goes (and is not mounted while training goes on unwatched).
  await page.mouse.move(5, 5);
  await page.waitForFunction(() => document.querySelector('[data-testid="chart-tooltip"]') === null, undefined, { timeout: 5_000 });
  note(`${rows.length} rows at epoch ${epoch}, each equal to the worker's figures`);
});
