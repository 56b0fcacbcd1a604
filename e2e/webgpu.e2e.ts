/**
 * The lab on WebGPU (SwiftShader here): the quick preset end to end, the same numbers twice, the
 * backend the worker picks and its kernels; and the page's main thread while a run trains.
 */
import { expect, test } from './harness';
import { backendName, byTestId, errorText, labResults, openLab, runToEnd, stageStatuses, TINY_RUN } from './lab-page';
import { cpuOver, describeTasks, traceMainThread } from './main-thread';
import { expectTableMatches, percent } from './results-table';
import type { RunResults } from '../src/engine/events';
import { DEFENSE_IDS } from '../src/engine/defenses/catalog';

test('no main-thread task over 200 ms on the CPU while training', async ({ page, baseUrl, note }) => {
  test.setTimeout(180_000);
  await openLab(page, baseUrl, { hash: TINY_RUN, backend: 'wasm' });
  await backendName(page);
  const { result: end, tasks } = await traceMainThread(page, () => runToEnd(page, 150_000));
  expect(end === 'done', `run ended "${end}"`);
  note(`main thread while training: ${describeTasks(tasks)}`);
  // Training is in the worker: one training step on the page's thread would hold it for seconds. The
  // busiest task here spent 72–115 ms on the CPU in 13 runs, 12 with training jobs on both cores (the
  // 115 ms run had none beside the browser, so load does not set it; e2e/main-thread.ts says why the CPU
  // time, not the wall time).
  const busy = cpuOver(tasks, 200);
  expect(busy.length === 0, `main-thread tasks over 200 ms on the CPU: ${busy.join(', ')} ms`);
});

// Under SwiftShader (software WebGPU: this machine and CI) the run relies on the lab's barrier-free
// kernels (workers/webgpu/): with tfjs' own kernels one step of the quick preset took 2–7 s and the run
// far more than the time allowed here. `E2E_SKIP_WEBGPU_RUN=1` skips it for quick local loops.
test('the quick preset runs end to end on WebGPU and fills charts and table with the worker’s results', async ({ page, baseUrl, note }) => {
  test.skip(process.env.E2E_SKIP_WEBGPU_RUN === '1', 'E2E_SKIP_WEBGPU_RUN=1');
  test.setTimeout(570_000);
  // The quick preset with its two main defenses, one epoch each. Only defense.* is changed, so the
  // attacker's published models (pretrained, public task model, poisoned, teacher: made with exactly this
  // preset and seed) load and only the defenses train on the device; six defense epochs of 1,500 mails
  // on the 2×128 student would not fit the time allowed under SwiftShader (CI has 90 min).
  await openLab(page, baseUrl, { hash: 'preset=quick&defense.methods=lora,w2sdefense&defense.epochs=1', backend: 'webgpu' });
  const backend = await backendName(page);
  expect(backend === 'webgpu', `?backend=webgpu keeps WebGPU, got "${backend}"`);
  const started = Date.now();
  const end = await runToEnd(page, 540_000);
  const seconds = (Date.now() - started) / 1000;
  note(`quick preset on webgpu: ${seconds.toFixed(1)} s end to end`);
  expect(end === 'done', `the quick run ends "${end}" (${await errorText(page)})`);
  const results = await labResults(page);
  expect(results !== undefined, 'results published on window.__labResults');
  expect(results.backend === 'webgpu', `results say backend ${results.backend}`);
  for (const [stage, r] of Object.entries(results.stages)) {
    note(`  ${stage}: ${r.seconds.toFixed(1)} s train, ${r.samplesPerSecond.toFixed(0)} samples/s${r.final ? `, CA ${percent(r.final.ca)}, ASR ${percent(r.final.asr)} (floor ${percent(r.final.asrBase)})` : ''}`);
  }
  // Every classifier stage reports CA, ASR and the ASR's floor, per epoch and at the end.
  for (const [stage, r] of Object.entries(results.stages)) {
    if (stage === 'pretrain') continue;
    const ok = (m: { ca?: number; asr?: number; asrBase?: number }) => [m.ca, m.asr, m.asrBase].every((x) => typeof x === 'number' && Number.isFinite(x));
    expect(r.final !== null && ok(r.final) && r.epochs.every(ok), `${stage} reports CA, ASR and asrBase per epoch and at the end`);
  }
  expect((results.backdoorLocation ?? []).length > 0, 'the poisoned model was probed for where its backdoor lives');
  const statuses = await stageStatuses(page);
  expect(Object.values(statuses).every((s) => s === 'done'), `every stage done: ${JSON.stringify(statuses)}`);

  const cells = await expectTableMatches(page, results);
  expect(cells === 10, `table has all 5 methods (task model, poisoned, teacher, two defenses), got ${cells / 2}`);
  const json = await page.locator(byTestId('results-json')).textContent();
  expect(json !== null && JSON.stringify(JSON.parse(json)) === JSON.stringify(results), 'hidden JSON block equals window.__labResults');

  // The paper's comparison leads (task model, poisoned, LoRA, W2SDefense); the teacher is one click away.
  for (const chart of ['chart-ca', 'chart-asr']) {
    const lines = await page.locator(`${byTestId(chart)} .recharts-line`).count();
    expect(lines === 4, `${chart} leads with 4 lines, got ${lines}`);
  }
  await page.click(byTestId('legend-teacher'));
  await page.check(byTestId('show-floors'));
  const drawn = Object.entries(results.stages).filter(([stage, r]) => stage !== 'pretrain' && r.final);
  const defenses = drawn.filter(([stage]) => stage.startsWith('defense:')).length;
  for (const chart of ['chart-ca', 'chart-asr']) {
    const lines = await page.locator(`${byTestId(chart)} .recharts-line`).count();
    // The ASR chart adds one dotted floor line (asrBase) per method, once asked.
    const want = chart === 'chart-asr' ? 10 : 5;
    expect(lines === want, `${chart} draws ${want} lines with every method and the floors shown, got ${lines}`);
    const points = await page.locator(`${byTestId(chart)} .recharts-line-dot`).count();
    const epochs = drawn.reduce((n, [, r]) => n + r.epochs.length, 0);
    // Each defense's line starts at epoch 0 from the poisoned model's point: one more dot each. Recharts
    // draws a line of a single point as its dot, dot={false} or not: here a one-epoch model stage's floor
    // line (a defense's floor starts at epoch 0 too, so it has two points).
    const singleFloors = chart === 'chart-asr' ? drawn.filter(([stage, r]) => !stage.startsWith('defense:') && r.epochs.length === 1).length : 0;
    expect(points === epochs + defenses + singleFloors, `${chart} has one point per method-epoch (${epochs}), a start per defense (${defenses}) and one per single-point floor line (${singleFloors}), got ${points}`);
  }

  const poisoned = results.stages.poison?.final;
  const defended = results.stages['defense:w2sdefense']?.final;
  const lora = results.stages['defense:lora']?.final;
  expect(poisoned && defended && lora, 'poisoned, LoRA and W2SDefense results exist');
  note(`story: poisoned ASR ${percent(poisoned.asr)} (floor ${percent(poisoned.asrBase)}) → LoRA ${percent(lora.asr)}, W2SDefense ${percent(defended.asr)} (floor ${percent(defended.asrBase)})`);
  // The backdoor is learned: the trigger lifts the ASR well above its floor. The poisoned stage here is the
  // attacker's published model, replayed with the figures measured when it was built (ASR 100.0 %, floor
  // 15.1 %), so this margin holds by construction; a live poisoning of the quick preset planted 97–100 %
  // on 10 of 10 test seeds (docs/FINDINGS.md). Which defense wins is measured in benchmarks, never here.
  expect(poisoned.asr - poisoned.asrBase >= 0.15, `the backdoor is learned (ASR ${percent(poisoned.asr)} ≥ floor ${percent(poisoned.asrBase)} + 15 points)`);

  if (process.env.E2E_SCREENSHOT) {
    await page.screenshot({ path: process.env.E2E_SCREENSHOT, fullPage: false });
    note(`screenshot saved to ${process.env.E2E_SCREENSHOT}`);
  }
});

/**
 * Every figure a run reports (per epoch: loss, CA, ASR, floor, dev accuracy, loss terms; final
 * metrics; the backdoor probes), without the ones that measure the machine (a stage's seconds and
 * samples/s) or say where a model came from (`cached`): what must repeat when config, seed and
 * backend repeat.
 */
function reportedFigures(results: RunResults): unknown {
  const stages = Object.fromEntries(
    Object.entries(results.stages).map(([name, r]) => [name, { epochs: r.epochs, final: r.final, filter: r.filter ?? null, prunedRatio: r.prunedRatio ?? null }]),
  );
  return { stages, backdoorLocation: results.backdoorLocation ?? null };
}

/** The first path at which two JSON values differ, for the failure message. */
function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b) ? null : `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`);
    if (d) return d;
  }
  return null;
}

test('the same config, seed and backend give the same numbers twice on WebGPU, every defense of the catalog included (cache cleared in between)', async ({ page, baseUrl, note }) => {
  test.skip(process.env.E2E_SKIP_WEBGPU_RUN === '1', 'E2E_SKIP_WEBGPU_RUN=1');
  test.setTimeout(900_000);
  // Every defense, so each also runs on the WebGPU worker (the defense-bench test runs them on WASM).
  // ONION scores every word of a sentence with the masked LM, and the ASR reads every triggered
  // sentence of the whole test split (172 here): unbounded, ONION alone ran past 400 s on SwiftShader.
  // 16 clean and 16 triggered sentences still exercise every step of it.
  const methods = `defense.methods=${DEFENSE_IDS.join(',')}&defense.onion.maxTexts=16`;
  await openLab(page, baseUrl, { hash: TINY_RUN.replace('defense.methods=lora,w2sdefense', methods), backend: 'webgpu' });
  expect((await backendName(page)) === 'webgpu', 'the lab runs on WebGPU');
  const runs: RunResults[] = [];
  for (let i = 0; i < 2; i++) {
    const started = Date.now();
    // 204 and 215 s here with a benchmark on the other core; the limit leaves twice that.
    expect((await runToEnd(page, 420_000)) === 'done', `run ${i + 1} done (${await errorText(page)})`);
    const results = await labResults(page);
    expect(results !== undefined && Object.values(results.stages).every((r) => r.cached !== true), `run ${i + 1} trained every stage itself`);
    runs.push(results!);
    note(`run ${i + 1} on webgpu: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    // Clear the saved models, so the second run trains again rather than replaying the first.
    await page.click('.cache-panel summary');
    await page.click(byTestId('cache-clear'));
    await page.waitForFunction(() => document.querySelector('[data-testid="cache-list"]')?.getAttribute('data-count') === '0', undefined, { timeout: 10_000 });
    await page.reload();
    await backendName(page);
  }
  const [first, second] = runs.map(reportedFigures);
  const stages = Object.keys(runs[0]!.stages);
  const epochs = Object.values(runs[0]!.stages).reduce((n, r) => n + r.epochs.length, 0);
  note(`compared ${stages.length} stages (${stages.join(', ')}), ${epochs} epoch records, every loss, CA, ASR, floor and loss term, every filter's flags and the pruned share`);
  const diff = firstDifference(first, second);
  expect(diff === null, `two runs of one seed differ at ${diff}`);
});

/** The badge once settled: the backend, its sentence, whether it was measured now or remembered, and when (ms since the page was asked for). */
async function settledBadge(page: import('@playwright/test').Page) {
  const at = await page.waitForFunction(() => (document.querySelector('[data-testid="backend"]') ? performance.now() : null), undefined, { timeout: 60_000, polling: 50 });
  return {
    ms: (await at.jsonValue())!,
    backend: ((await page.locator(byTestId('backend')).textContent()) ?? '').trim(),
    why: (await page.locator(byTestId('backend-why')).allTextContents())[0] ?? '',
    measured: await page.locator('.backend').getAttribute('data-measured'),
    details: (await page.locator('.backend-details').textContent()) ?? '',
  };
}

test('without an override a software WebGPU (SwiftShader here) is timed against WASM: the faster is used, said in one sentence, and remembered for the next visit', async ({ page, baseUrl, note }) => {
  test.setTimeout(90_000);
  await openLab(page, baseUrl);
  const first = await settledBadge(page);
  note(`first visit: ${first.backend} after ${(first.ms / 1000).toFixed(1)} s${first.why}`);
  // Which backend wins is the machine's business; that the choice was measured, said and kept is the lab's.
  expect(first.measured === 'now', `the first visit measures (data-measured="${first.measured}")`);
  expect(first.backend === 'wasm' || first.backend === 'webgpu', `WASM or WebGPU, got "${first.backend}"`);
  expect(/^ — measured (\d+\.\d× )?faster here/.test(first.why), `the badge says in one sentence that the backend measured faster: "${first.why}"`);
  if (first.backend === 'wasm') expect(/webgpu skipped: .*runs WebGPU in software here: a training step took WASM [\d.]+ ms, WebGPU ([\d.]+ ms|did not finish within [\d.]+ s); \?backend=webgpu uses it anyway/.test(first.details), `the details give both times and the override: "${first.details}"`);
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('w2s-backend-measurements') ?? '[]') as { backend: string; key: string }[]);
  expect(stored.length === 1 && stored[0]!.backend === first.backend, `the measurement is kept in this browser: ${JSON.stringify(stored)}`);
  // The timed steps free every tensor they made, on both backends (an abandoned WebGPU step included).
  const worker = page.workers().find((w) => w.url().includes('lab.worker'));
  const left = await worker?.evaluate(() => (self as unknown as { __w2sTestHooks: { numTensors(): number } }).__w2sTestHooks.numTensors());
  expect(left === 0, `no tensor left after the measurement, got ${left}`);
  // How soon it settled is measured and noted above, not asserted: a timing depends on the machine's load
  // (3.6–4.4 s here with two training jobs on the 2 cores), and a timed assertion would flip on a busy runner.

  // The next visit uses the kept measurement at once.
  await page.reload();
  const second = await settledBadge(page);
  note(`second visit: ${second.backend} after ${(second.ms / 1000).toFixed(1)} s${second.why}`);
  expect(second.measured === 'remembered' && second.backend === first.backend, `the second visit reuses the measurement: ${second.measured}, ${second.backend}`);
  expect(second.why.includes('remembered from an earlier visit'), `the badge says it was remembered: "${second.why}"`);

  // ?backend= overrides it, with nothing measured.
  await openLab(page, baseUrl, { backend: 'wasm' });
  const forced = await settledBadge(page);
  expect(forced.backend === 'wasm' && forced.measured === null && forced.details.includes('?backend=wasm'), `?backend=wasm is used as asked, unmeasured: ${forced.measured}, "${forced.details}"`);
});

test('?backend=webgpu keeps software WebGPU, with the lab\'s kernels checked on the device', async ({ page, baseUrl, note }) => {
  test.setTimeout(90_000);
  await openLab(page, baseUrl, { backend: 'webgpu' });
  const backend = await backendName(page);
  expect(backend.trim() === 'webgpu', `the badge says webgpu, got "${backend}"`);
  // SwiftShader runs shaders on the CPU: the worker installs the lab's kernels and checks them
  // against tfjs' own on this device before any training uses them.
  const kernels = (await page.locator(byTestId('backend-note')).textContent()) ?? '';
  note(kernels);
  expect(/barrier-free kernels .*runs shaders on the CPU.*matched tfjs' kernels on all \d+ checks/.test(kernels), `the kernel note reports the checked lab kernels: "${kernels}"`);
  // The engine's single ops (hand-written backwards) are checked against their composites on the device too.
  expect(/the engine's \d+ single ops matched their composites, gradients included/.test(kernels), `the note reports the checked ops: "${kernels}"`);
  expect(!/disagreed/.test(kernels), `nothing disagreed on this device: "${kernels}"`);
});

test('?kernels=tfjs keeps tfjs’ own WebGPU kernels and says so', async ({ page, baseUrl }) => {
  test.setTimeout(90_000);
  await openLab(page, baseUrl, { backend: 'webgpu', query: 'kernels=tfjs' });
  expect((await backendName(page)).trim() === 'webgpu', 'still webgpu');
  const kernels = (await page.locator(byTestId('backend-note')).textContent()) ?? '';
  expect(kernels.includes("tfjs' WebGPU kernels (?kernels=tfjs)"), `the note names the override: "${kernels}"`);
});
