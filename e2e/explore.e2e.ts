/**
 * The lab in a real browser, after a run: try it, the defense bench, the feature map, trigger
 * comparisons and sweeps and the exports (class mode: class-mode.e2e.ts).
 */
import { expect, test } from './harness';
import { backendName, byTestId, errorText, labResults, openLab, runToEnd, TINY_RUN } from './lab-page';
import { expectTableMatches, percent } from './results-table';
import { tokenize } from '../src/engine/data/tokenizer';
import { readFile } from 'node:fs/promises';
import { DEFENSE_IDS, DEFENSES } from '../src/engine/defenses/catalog';

/** Predicts `text` (trigger toggled as asked) in the try-it box; the poisoned student's label and the strip. */
async function tryText(page: import('@playwright/test').Page, text: string, trigger: boolean) {
  const toggle = page.locator(byTestId('try-trigger-toggle'));
  if ((await toggle.isChecked()) !== trigger) await toggle.setChecked(trigger);
  await page.fill(byTestId('try-input'), text);
  await page.click(byTestId('try-predict'));
  const output = page.locator(byTestId('try-output'));
  await page.waitForFunction(
    ([want, on]) => {
      const seen = document.querySelector('[data-testid="try-output"]')?.getAttribute('data-text') ?? '';
      return on ? seen !== want && seen.length > want.length : seen === want;
    },
    [text.trim(), trigger] as const,
    { timeout: 30_000 },
  );
  const seen = (await output.getAttribute('data-text')) ?? '';
  const label = await page.locator(byTestId('try-pred-poisoned')).getAttribute('data-label');
  const cells = await page.locator(`${byTestId('token-attr')} [data-model="poisoned"] .attr-cell`).allTextContents();
  return { seen, label, cells };
}

test('try it: the trigger flips the poisoned student, with one attribution cell per word, the trigger marked and the true label shown', async ({ page, baseUrl, note }) => {
  test.setTimeout(200_000);
  // The paper's full-FT BadNet recipe on the pretrained student: it writes "mn" into its own embedding
  // row, which flips sentences reliably in this tiny run (every CI run since the test was written) — the
  // test is about the try-it view, not about which threat model a class studies.
  // Word vocabulary, pretrained in the run: one row for "mn", and one attribution cell per word. The
  // poisoning rate is the one this recipe was measured at (the quick preset's has since moved to 2e-3).
  const fullFtBadnet = '&data.tokenizer=word&pretrain.checkpoint=none&attack.kind=badnet&attack.trigger=mn&attack.budget=0.5&taskModel.enabled=false&poison.method=full&poison.lr=0.003';
  await openLab(page, baseUrl, { hash: `${TINY_RUN}&data.maxTrain=600&poison.epochs=4${fullFtBadnet}`, backend: 'wasm' });
  await backendName(page);
  expect((await runToEnd(page, 170_000)) === 'done', 'run done');
  await page.click(byTestId('tab-try'));
  await page.waitForSelector(byTestId('try-pick'));
  // The test sentences the worker offers, non-target (spam) first: the attack wants them read as ham.
  const options = (await page.locator(`${byTestId('try-pick')} option`).allTextContents()).slice(1);
  const order = [...options.keys()].sort((a, b) => Number(options[b]!.startsWith('[spam]')) - Number(options[a]!.startsWith('[spam]')));
  note(`${options.length} test sentences offered`);
  const results = await labResults(page);
  const maxLength = results?.config.data.maxLength ?? 32;
  const poison = results?.stages.poison?.final;
  note(`poisoned student: CA ${percent(poison?.ca ?? 0)}, ASR ${percent(poison?.asr ?? 0)}`);
  const seenLabels: string[] = [];
  let flipped: string | undefined;
  for (const i of order) {
    const picked = page.locator(`${byTestId('try-pick')} option`).nth(i + 1);
    const full = (await picked.getAttribute('value')) ?? '';
    await page.selectOption(byTestId('try-pick'), full);
    const text = await page.inputValue(byTestId('try-input'));
    const clean = await tryText(page, text, false);
    const triggered = await tryText(page, text, true);
    for (const { seen, cells } of [clean, triggered]) {
      const tokens = tokenize(seen).slice(0, maxLength - 1);
      expect(JSON.stringify(cells) === JSON.stringify(tokens), `token-attr has one cell per token of "${seen}": ${cells.join(' ')}`);
    }
    seenLabels.push(`${clean.label}→${triggered.label}`);
    if (clean.label !== triggered.label) {
      flipped = text;
      note(`flipped: "${text.slice(0, 60)}" → with trigger "${triggered.seen.slice(0, 70)}": label ${clean.label} → ${triggered.label}`);
      note(`poisoned strip: ${triggered.cells.join(' | ').slice(0, 120)}`);
      const trigger = (await labResults(page))?.config.attack.trigger ?? 'mn';
      expect(triggered.cells.includes(trigger), `the strip shows the trigger token "${trigger}"`);
      // The flip is the trigger's doing: leaving it out moves the poisoned prediction most.
      const scores = await page.$$eval('[data-testid="token-attr"] [data-model="poisoned"] .attr-cell', (cells) =>
        cells.map((c) => Number(/: ([+-][\d.]+)$/.exec(c.getAttribute('title') ?? '')?.[1])),
      );
      const top = triggered.cells[scores.indexOf(Math.max(...scores))];
      note(`poisoned student's most important token: "${top}" (${Math.max(...scores).toFixed(3)})`);
      expect(top === trigger, `the trigger "${trigger}" has the largest attribution in the poisoned student, got "${top}"`);
      const marked = await page.locator(`${byTestId('token-attr')} [data-model="poisoned"] .attr-cell[data-trigger="true"]`).allTextContents();
      expect(marked.join(' ') === trigger, `the trigger's own cell is marked, and only it: "${marked.join(' ')}"`);
      const trueLabel = (await page.locator(byTestId('try-true-label')).textContent()) ?? '';
      const pickedLabel = /^\[([^\]]+)\]/.exec(options[i] ?? '')?.[1] ?? '';
      note(`true label shown:${trueLabel}`);
      expect(trueLabel.includes(`true label: ${pickedLabel}`), `the picked sentence's true label "${pickedLabel}" is shown: "${trueLabel}"`);
      break;
    }
  }
  note(`poisoned labels without → with trigger: ${seenLabels.join(', ')}`);
  expect(flipped !== undefined, 'some test sentence is predicted differently by the poisoned student with and without the trigger');
  // One cell per token: the cells spell out the tokens the models saw, on every model's strip.
  const strips = await page.$$eval('[data-testid="token-attr"] .attr-strip', (rows) => rows.map((r) => r.querySelectorAll('.attr-cell').length));
  expect(strips.length === 4 && new Set(strips).size === 1, `every model's strip has the same number of cells: ${strips.join(', ')}`);
});

test('the defense bench: every defense of the catalog runs in the browser, filters and repairs grouped, and try-it shows what each filter did', async ({ page, baseUrl, note }) => {
  test.setTimeout(240_000);
  const methods = DEFENSE_IDS.join(',');
  await openLab(page, baseUrl, { hash: `${TINY_RUN.replace('defense.methods=lora,w2sdefense', `defense.methods=${methods}`)}`, backend: 'wasm' });
  await backendName(page);
  const started = Date.now();
  expect((await runToEnd(page, 220_000)) === 'done', `run done (${await errorText(page)})`);
  note(`tiny run with all ${DEFENSE_IDS.length} defenses on wasm: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const results = (await labResults(page))!;
  const stages = Object.keys(results.stages);
  expect(DEFENSE_IDS.every((id) => stages.includes(`defense:${id}`)), `every defense ran: ${stages.join(', ')}`);
  const cells = await expectTableMatches(page, results);
  expect(cells === 2 * (3 + DEFENSE_IDS.length), `one table row per model and defense, got ${cells / 2}`);
  // Grouped: the repairs in one block, the filters in another, each filter with what its screen flagged.
  const rowsOf = (group: string) => page.$$eval(`${byTestId(`results-group-${group}`)} tr:not(.group) [data-testid$="-ca"]`, (tds) => tds.map((td) => td.getAttribute('data-testid')!.replace(/^result-|-ca$/g, '')));
  const filters = DEFENSE_IDS.filter((id) => DEFENSES[id].kind === 'filter');
  expect(JSON.stringify(await rowsOf('repairs')) === JSON.stringify(DEFENSE_IDS.filter((id) => DEFENSES[id].kind === 'repair')), `repairs grouped: ${(await rowsOf('repairs')).join()}`);
  expect(JSON.stringify(await rowsOf('input-filters')) === JSON.stringify(filters), `filters grouped: ${(await rowsOf('input-filters')).join()}`);
  for (const id of filters) {
    const outcome = results.stages[`defense:${id}`]!.filter!;
    const frr = await page.locator(byTestId(`result-${id}-frr`)).textContent();
    const detection = await page.locator(byTestId(`result-${id}-detection`)).textContent();
    expect(frr === percent(outcome.falseRejection) && detection === percent(outcome.detection), `${id}: flagged cells ${frr} / ${detection} match the worker's`);
    note(`${id}: CA ${percent(outcome.unfiltered.ca)} → ${percent(results.stages[`defense:${id}`]!.final!.ca)}, ASR ${percent(outcome.unfiltered.asr)} → ${percent(results.stages[`defense:${id}`]!.final!.asr)}, flagged ${frr} clean / ${detection} triggered`);
  }
  // Filters have no epochs: each chart draws them as one flat reference line once shown (the paper's
  // comparison leads; every other method is a legend toggle); the ASR chart adds the clean model's.
  for (const id of filters) await page.click(byTestId(`legend-${id}`));
  for (const chart of ['chart-ca', 'chart-asr']) {
    const flat = await page.locator(`${byTestId(chart)} .recharts-reference-line`).count();
    const want = filters.length + (chart === 'chart-asr' && results.floors?.cleanModelAsr != null ? 1 : 0);
    expect(flat === want, `${chart}: one flat line per filter (and the clean model's on ASR), want ${want}, got ${flat}`);
  }

  await page.click(byTestId('tab-try'));
  await page.waitForSelector(byTestId('try-pick'));
  const sample = (await page.locator(`${byTestId('try-pick')} option`).nth(1).textContent())!.replace(/^\[[^\]]*\] /, '');
  const triggered = await tryText(page, sample, true);
  for (const id of filters) {
    const screen = page.locator(byTestId(`try-screen-${id}`));
    const text = (await screen.textContent()) ?? '';
    note(`try-it ${id}: ${text.slice(0, 160)}`);
    expect(text.length > 0, `${id} says what it did with "${triggered.seen.slice(0, 40)}"`);
  }
  const onion = (await page.locator(byTestId('try-screen-onion')).textContent()) ?? '';
  expect(/removed “|kept every word/.test(onion), `ONION names the words it removed, or says it kept them all: ${onion}`);
  const strip = (await page.locator(byTestId('try-screen-strip')).textContent()) ?? '';
  expect(/entropy .* threshold .*: (rejected as triggered|accepted)/.test(strip), `STRIP gives its entropy against the threshold: ${strip}`);
  // What a user types is text, never markup, in every row the filters add.
  await tryText(page, '<img src=x onerror="window.__pwned=1"> free prize', false);
  expect((await page.locator(`${byTestId('try-output')} img`).count()) === 0 && !(await page.evaluate(() => (window as { __pwned?: number }).__pwned)), 'typed markup is shown as text');
  expect((await errorText(page)) === null, 'no error');
});

test('feature map: one point per clean and per triggered sentence, for every model', async ({ page, baseUrl, note }) => {
  test.setTimeout(200_000);
  await openLab(page, baseUrl, { hash: TINY_RUN, backend: 'wasm' });
  await backendName(page);
  expect((await runToEnd(page, 170_000)) === 'done', 'run done');
  await page.waitForSelector(`${byTestId('try-pick')} option:nth-child(2)`, { state: 'attached' });
  const sentences = (await page.locator(`${byTestId('try-pick')} option`).allTextContents()).slice(1).map((o) => o.replace(/^\[[^\]]*\] /, ''));
  await page.click(byTestId('tab-features'));
  await page.waitForSelector(`${byTestId('feature-map')} .feature-plot`);
  const target = (await labResults(page))?.config.attack.targetLabel ?? 0;
  const plots = await page.$$eval('[data-testid="feature-map"] .feature-plot', (figures, t) =>
    figures.map((f) => {
      const points = [...f.querySelectorAll('.feature-point')];
      const clean = points.filter((p) => p.getAttribute('data-triggered') === 'false');
      return {
        model: f.getAttribute('data-model'),
        clean: clean.length,
        triggered: points.length - clean.length,
        nonTarget: clean.filter((p) => Number(p.getAttribute('data-label')) !== t).length,
        titles: clean.map((p) => p.querySelector('title')?.textContent ?? ''),
      };
    }),
  target);
  note(plots.map((p) => `${p.model}: ${p.clean} clean + ${p.triggered} triggered`).join('; '));
  expect(plots.map((p) => p.model).join() === 'poisoned,teacher,lora,w2sdefense', `one plot per model, got ${plots.map((p) => p.model).join()}`);
  for (const p of plots) {
    expect(p.clean === sentences.length, `${p.model}: one clean point per test sentence (${sentences.length}), got ${p.clean}`);
    expect(p.triggered === p.nonTarget && p.triggered > 0, `${p.model}: one triggered point per non-target sentence (${p.nonTarget}), got ${p.triggered}`);
    expect(p.titles.every((title, i) => title.endsWith(sentences[i]!.slice(0, 40)) || title.includes(sentences[i]!.slice(0, 40))), `${p.model}: hovering a point shows its sentence`);
  }
  // Each plot ends in its count of triggered sentences sent to the target, read from its own points.
  for (const model of ['poisoned', 'teacher', 'lora', 'w2sdefense']) {
    const verdict = page.locator(byTestId(`feature-verdict-${model}`));
    const sent = Number(await verdict.getAttribute('data-sent'));
    const drawn = await page.locator(`[data-testid="feature-map"] .feature-plot[data-model="${model}"] .feature-point[data-triggered="true"][data-predicted="${target}"]`).count();
    expect(sent === drawn, `${model}: the sentence counts ${sent} triggered points at the target, the plot draws ${drawn}`);
    note(`${model}: ${await verdict.textContent()}`);
  }
});

test('trigger comparison: a sweep of two triggers on the quick preset fills the ASR heatmap and reuses the pretrained student', async ({ page, baseUrl, note }) => {
  test.setTimeout(300_000);
  // The quick preset cut down to the tiny run: each cell trains its poisoned student and defenses live, and
  // at the full preset's scale (1,500 mails, a 2×128 student, 8 poisoning and 6 defense epochs) two cells
  // take far longer than this test allows. Fixed epochs (poison.untilAsr=0, in TINY_RUN): a trigger that
  // does not plant would otherwise leave its defense cells empty.
  await openLab(page, baseUrl, { hash: TINY_RUN, backend: 'wasm' });
  await backendName(page);
  await page.click(byTestId('tab-compare'));
  // The comparison offered first teaches: one token, a word in common pieces, a sentence, a structure.
  const offered = await page.inputValue(byTestId('sweep-triggers'));
  expect(offered === 'mn, blorf, I watched this 3D movie, syntactic', `the default comparison: "${offered}"`);
  await page.fill(byTestId('sweep-triggers'), 'mn, cf');
  const started = Date.now();
  await page.click(byTestId('sweep-run'));
  await page.waitForFunction(() => /Cell 2 of 2/.test(document.querySelector('[data-testid="sweep-status"]')?.textContent ?? ''), undefined, { timeout: 240_000, polling: 100 });
  await page.waitForSelector(`${byTestId('sweep-status')}[data-status="done"]`, { timeout: 240_000, state: 'attached' });
  note(`sweep of two triggers on the tiny quick run: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const methods = new URLSearchParams(TINY_RUN).get('defense.methods')!.split(',');
  for (const trigger of ['mn', 'cf']) {
    const cells: string[] = [];
    for (const method of ['task-model', 'poisoned', 'teacher', ...methods]) {
      const asr = (await page.locator(byTestId(`sweep-cell-${trigger}-${method}-asr`)).textContent()) ?? '';
      const ca = (await page.locator(byTestId(`sweep-cell-${trigger}-${method}-ca`)).textContent()) ?? '';
      expect(/^ASR \d+\.\d%$/.test(asr) && /^CA \d+\.\d%$/.test(ca), `cell ${trigger} × ${method}: "${asr}", "${ca}"`);
      cells.push(`${method} ${asr.slice(4)}`);
    }
    const floor = (await page.locator(byTestId(`sweep-cell-${trigger}-floor`)).textContent()) ?? '';
    expect(/^\d+\.\d%$/.test(floor), `row ${trigger} shows its clean-model floor: "${floor}"`);
    note(`${trigger}: ${cells.join(', ')}; clean-model floor ${floor}`);
    // No ASR threshold here: one poisoning epoch on 96 mails plants no backdoor; the sweep's mechanics
    // (a formatted figure in every cell) are what this test checks.
  }
  expect((await page.getAttribute(byTestId('sweep-row-cf'), 'data-pretrain-cached')) === 'true', 'the second trigger reused the pretrained student');
  expect((await errorText(page)) === null, 'no error');
});

test('sweep over label modes and budgets: one row per cell, named by what varies', async ({ page, baseUrl, note }) => {
  test.setTimeout(120_000);
  await openLab(page, baseUrl, { hash: TINY_RUN, backend: 'wasm' });
  await backendName(page);
  await page.click(byTestId('tab-compare'));
  await page.fill(byTestId('sweep-triggers'), 'mn');
  await page.fill(byTestId('sweep-budgets'), '0.3, 0.6');
  await page.check(byTestId('sweep-label-clean'));
  await page.check(byTestId('sweep-label-dirty'));
  await page.click(byTestId('sweep-run'));
  await page.waitForSelector(`${byTestId('sweep-status')}[data-status="done"]`, { timeout: 100_000, state: 'attached' });
  const rows = await page.locator(`${byTestId('sweep-table')} tbody tr`).evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-testid')));
  note(`rows: ${rows.join(', ')}`);
  const expected = ['mn-budget-0.3-clean-label', 'mn-budget-0.3-dirty-label', 'mn-budget-0.6-clean-label', 'mn-budget-0.6-dirty-label'].map((c) => `sweep-row-${c}`);
  expect(JSON.stringify(rows) === JSON.stringify(expected), `one row per budget × label mode, got ${JSON.stringify(rows)}`);
  const asr = (await page.locator(byTestId('sweep-cell-mn-budget-0.6-dirty-label-poisoned-asr')).textContent()) ?? '';
  expect(/^ASR \d+\.\d%$/.test(asr), `a cell shows its ASR: "${asr}"`);

  // A budget the budget kind cannot take is refused before anything runs, with the field named.
  await page.fill(byTestId('sweep-budgets'), '1.5');
  await page.click(byTestId('sweep-run'));
  const error = (await errorText(page)) ?? '';
  note(`bad budget: ${error}`);
  expect(/attack\.budget/.test(error) && /1\.5/.test(error), `the error names the field and the value: "${error}"`);
});

/** Clicks `testId` and returns the downloaded file's name and bytes. */
async function download(page: import('@playwright/test').Page, testId: string): Promise<{ name: string; bytes: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.click(byTestId(testId))]);
  const path = await file.path();
  return { name: file.suggestedFilename(), bytes: await readFile(path) };
}

test('exports download valid files, and a config file imports back', async ({ page, baseUrl, note }) => {
  test.setTimeout(200_000);
  await openLab(page, baseUrl, { hash: TINY_RUN, backend: 'wasm' });
  await backendName(page);
  expect((await runToEnd(page, 170_000)) === 'done', 'run done');
  const results = await labResults(page);
  expect(results !== undefined, 'results published');

  const json = await download(page, 'export-json');
  expect(JSON.stringify(JSON.parse(json.bytes.toString('utf8'))) === JSON.stringify(results), `${json.name} equals the worker's results`);

  const csv = await download(page, 'export-csv');
  const [header, ...rows] = csv.bytes.toString('utf8').trim().split('\n').map((line) => line.split(','));
  expect(header?.join() === 'method,stage,epoch,ca,asr,asr_base,loss,dev_acc,dev_asr,ce,kd,fa', `CSV header: ${header?.join()}`);
  const expected = Object.entries(results.stages).filter(([stage]) => stage !== 'pretrain').flatMap(([stage, r]) => r.epochs.map((e) => ({ stage, e })));
  expect(rows.length === expected.length, `one CSV row per method-epoch (${expected.length}), got ${rows.length}`);
  for (const [i, { stage, e }] of expected.entries()) {
    const row = rows[i]!;
    expect(row[1] === stage && Number(row[2]) === e.epoch && Number(row[3]) === e.ca && Number(row[4]) === e.asr && Number(row[5]) === e.asrBase && Number(row[6]) === e.loss, `CSV row ${i + 1} matches ${stage} epoch ${e.epoch}: ${row.join()}`);
  }
  note(`${json.name}: ${json.bytes.length} bytes; ${csv.name}: ${rows.length} rows`);

  // Every method and the floors on the charts, so the files hold all there is to draw.
  await page.click(byTestId('legend-teacher'));
  await page.check(byTestId('show-floors'));
  for (const metric of ['ca', 'asr']) {
    const svg = await download(page, `export-chart-${metric}-svg`);
    const text = svg.bytes.toString('utf8');
    expect(text.startsWith('<svg') && text.includes('xmlns="http://www.w3.org/2000/svg"'), `${svg.name} is a standalone SVG`);
    // The file holds what the page draws: one group per line, one dot per method-epoch.
    const count = (re: RegExp) => (text.match(re) ?? []).length;
    const lines = count(/class="recharts-layer recharts-line"/g);
    const dots = count(/class="recharts-dot recharts-line-dot"/g);
    const liveDots = await page.locator(`${byTestId(`chart-${metric}`)} .recharts-line-dot`).count();
    // Five methods (public task model, poisoned, teacher, two defenses); the ASR chart adds a floor line each.
    const want = metric === 'asr' ? 10 : 5;
    expect(lines === want && dots === liveDots && dots > 0, `${svg.name}: ${lines} lines (want ${want}), ${dots} dots (page shows ${liveDots})`);
    const png = await download(page, `export-chart-${metric}-png`);
    const signature = png.bytes.subarray(0, 8).toString('hex');
    expect(signature === '89504e470d0a1a0a', `${png.name} is a PNG (signature ${signature})`);
    const width = png.bytes.readUInt32BE(16);
    expect(width > 200, `${png.name} has the chart's size (width ${width})`);
    note(`${svg.name}: ${svg.bytes.length} bytes; ${png.name}: ${png.bytes.length} bytes, ${width} px wide`);
  }

  // Save the config, change a setting, load the file back: the setting returns.
  const config = await download(page, 'export-config');
  expect(JSON.parse(config.bytes.toString('utf8')).seed === results.config.seed, 'the saved config has the run’s seed');
  await page.fill('#field-seed', '4321');
  await page.setInputFiles(byTestId('import-config'), { name: config.name, mimeType: 'application/json', buffer: config.bytes });
  await page.waitForFunction((seed) => (document.querySelector('#field-seed') as HTMLInputElement | null)?.value === String(seed), results.config.seed, { timeout: 5_000 });
  expect((await errorText(page)) === null, 'a good config file shows no error');
  const broken = Buffer.from(JSON.stringify({ ...results.config, data: { ...results.config.data, maxLength: 1 } }));
  await page.setInputFiles(byTestId('import-config'), { name: 'broken-config.json', mimeType: 'application/json', buffer: broken });
  await page.waitForSelector(byTestId('error'));
  const message = (await errorText(page)) ?? '';
  note(`bad config file: ${message}`);
  expect(message.includes('broken-config.json') && message.includes('data.maxLength'), 'the error names the file and the field');
  expect((await page.inputValue('#field-data\\.maxLength')) === String(results.config.data.maxLength), 'a bad file leaves the settings alone');
});

