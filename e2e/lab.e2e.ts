/**
 * The lab in a real browser: the issue's required checks. Runs that only need to work use
 * `?backend=wasm` and a tiny config; the quick preset runs on WebGPU (SwiftShader here) end to end.
 */
import { expect, test, testIf } from './harness';
import { backendName, byTestId, errorText, labResults, longTasksSince, openLab, recordLongTasks, runToEnd, stageStatuses, TINY_RUN, waitForRunEnd } from './lab-page';
import type { RunResults, StageName } from '../src/engine/events';
import { tokenize } from '../src/engine/data/tokenizer';
import { WordPieceTokenizer } from '../src/engine/data/wordpiece';
import { readFile } from 'node:fs/promises';
import type { CheckpointManifest } from '../src/engine/models/checkpoint';
import { DEFENSE_IDS, DEFENSES } from '../src/engine/defenses/catalog';

const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Every row the results table can have, and the stage it comes from: the reference models, then every defense of the catalog. */
const METHOD_STAGE: Record<string, StageName> = {
  'task-model': 'task',
  poisoned: 'poison',
  teacher: 'teacher',
  ...Object.fromEntries(DEFENSE_IDS.map((id) => [id, `defense:${id}` as StageName])),
};

/** Every table cell equals the worker's result for its method, formatted as a percentage. */
async function expectTableMatches(page: import('playwright-core').Page, results: RunResults): Promise<number> {
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

test('a shared URL restores the same config', 60_000, async ({ page, baseUrl, context }) => {
  const hash = 'preset=quick&seed=1234&attack.kind=insent&attack.trigger=I%20watched%20this%203D%20movie&models.student.layers=3&defense.methods=lora,w2sdefense&defense.selectBestByDev=true';
  await openLab(page, baseUrl, { hash, backend: 'cpu' });
  expect((await page.inputValue('#field-seed')) === '1234', 'seed from the URL');
  expect((await page.inputValue('#field-attack\\.kind')) === 'insent', 'attack kind from the URL');
  expect((await page.inputValue('#field-attack\\.trigger')) === 'I watched this 3D movie', 'trigger from the URL');
  expect((await page.inputValue('#field-models\\.student\\.layers')) === '3', 'student layers from the URL');
  expect(await page.isChecked('#field-defense\\.selectBestByDev'), 'best-by-dev from the URL');
  const stages = Object.keys(await stageStatuses(page));
  expect(stages.join() === 'pretrain,task,poison,teacher,defense:lora,defense:w2sdefense', `strip shows the URL's defenses, got ${stages.join()}`);

  // Edit in the UI, then open the address bar's link in a fresh page: the edit travels.
  await page.fill('#field-seed', '99');
  await page.fill('#field-attack\\.trigger', 'cf mn');
  const shared = await page.evaluate(() => location.href);
  expect(shared.includes('seed=99') && shared.includes('attack.trigger=cf%20mn'), `the hash follows edits: ${shared}`);
  const other = await context.newPage();
  await other.goto(shared);
  await other.waitForSelector(byTestId('run'));
  expect((await other.inputValue('#field-seed')) === '99', 'edited seed restored from the shared link');
  expect((await other.inputValue('#field-attack\\.trigger')) === 'cf mn', 'edited trigger restored from the shared link');
  expect((await other.inputValue('#field-models\\.student\\.layers')) === '3', 'untouched fields restored too');
});

test('a _hide key hides its control', 60_000, async ({ page, baseUrl }) => {
  await openLab(page, baseUrl, { hash: 'attack.trigger_hide=true&presets_hide=true&defense.lora_hide=true', backend: 'cpu' });
  expect((await page.locator(byTestId('field-attack.trigger')).count()) === 0, 'trigger control hidden');
  expect((await page.locator(byTestId('preset-quick')).count()) === 0, 'presets hidden');
  expect((await page.locator('[data-testid^="field-defense.lora."]').count()) === 0, 'defense LoRA group hidden');
  expect(await page.locator(byTestId('field-attack.kind')).isVisible(), 'other attack controls still shown');
  expect(await page.locator(byTestId('field-defense.epochs')).isVisible(), 'other defense controls still shown');
  expect((await page.evaluate(() => location.hash)).includes('attack.trigger_hide=true'), 'the hide survives in the URL the page rewrites');

  await openLab(page, baseUrl, { backend: 'cpu' });
  expect(await page.locator(byTestId('field-attack.trigger')).isVisible(), 'without _hide the trigger control shows');
});

test('setup shows how the shipped vocabulary splits the trigger, live as it is typed', 60_000, async ({ page, baseUrl, note }) => {
  // The expected pieces come from the shipped vocabulary file itself, never from a list written here.
  const manifest = JSON.parse(await readFile('public/checkpoints/manifest.json', 'utf8')) as CheckpointManifest;
  const shipped = WordPieceTokenizer.fromJSON(JSON.parse(await readFile(`public/checkpoints/${manifest.tokenizer.file}`, 'utf8')));
  // The default trigger first, then a rare word typed in.
  await openLab(page, baseUrl, { hash: 'data.tokenizer=wordpiece', backend: 'cpu' });
  const chips = () => page.locator(`${byTestId('trigger-preview')} ${byTestId('trigger-piece')}`).allTextContents();
  const showing = (pieces: string[]) =>
    page.waitForFunction((want) => [...document.querySelectorAll('[data-testid="trigger-preview"] [data-testid="trigger-piece"]')].map((e) => e.textContent).join(' ') === want, pieces.join(' '), { timeout: 20_000 });
  const trigger = await page.inputValue('#field-attack\\.trigger');
  await showing(shipped.tokenize(trigger));
  note(`"${trigger}" → ${(await chips()).join(' ')}: ${await page.locator(byTestId('trigger-preview')).textContent()}`);
  // A rare word other than the default, so the preview has to follow the typing.
  const typed = trigger === 'mn' ? 'cf' : 'mn';
  await page.fill('#field-attack\\.trigger', typed);
  await showing(shipped.tokenize(typed));
  const verdict = (await page.locator(byTestId('trigger-preview')).textContent()) ?? '';
  expect(/one token|split into|reads as/.test(verdict), `the preview gives a verdict: "${verdict}"`);

  // The word tokenizer's vocabulary is the dataset's: the preview says so, and keeps the words whole.
  await page.selectOption('#field-data\\.tokenizer', 'word');
  await showing(tokenize(typed));
  const word = (await page.locator(byTestId('trigger-preview')).textContent()) ?? '';
  expect(/built from the dataset/.test(word), `the word tokenizer's note: "${word}"`);
});

test('a malformed upload shows a clear error and the lab still runs', 180_000, async ({ page, baseUrl, note }) => {
  await openLab(page, baseUrl, { hash: TINY_RUN, backend: 'wasm' });
  expect((await backendName(page)) === 'wasm', '?backend=wasm is honoured');
  await page.click(byTestId('dataset-upload'));
  await page.setInputFiles(byTestId('upload-input'), {
    name: 'broken.jsonl',
    mimeType: 'application/x-ndjson',
    buffer: Buffer.from('{"text": "fine", "label": 0}\n{"text": "missing quote, label: 1}\n'),
  });
  await page.waitForSelector(byTestId('error'));
  const message = (await errorText(page)) ?? '';
  note(`error shown: ${message}`);
  expect(message.includes('broken.jsonl'), 'the error names the file');
  expect(/line 2/.test(message), 'the error names the line');
  expect(await page.isEnabled(byTestId('run')), 'Run stays available');

  const started = Date.now();
  const end = await runToEnd(page, 150_000);
  expect(end === 'done', `the run after a bad upload ends "${end}" (${await errorText(page)})`);
  note(`tiny run on the bundled data after the bad upload: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const results = await labResults(page);
  expect(results !== undefined, 'results published');
  expect((await expectTableMatches(page, results)) === 10, 'table has the public task model, poisoned, teacher and two defenses');

  // The trained models answer the try-it box (the worker's predict).
  await page.fill(byTestId('try-input'), 'win a free prize now mn');
  await page.click(byTestId('try-predict'));
  await page.waitForSelector(byTestId('try-output'));
  const rows = await page.locator(`${byTestId('token-attr')} tr`).count();
  expect(rows === 4, `try-it shows one prediction per trained model (4), got ${rows}`);

  // A good file then replaces the dataset, with a preview and label counts.
  const csv = ['text,label', ...Array.from({ length: 30 }, (_, i) => `"review number ${i}",${i % 3 === 0 ? 'neg' : 'pos'}`)].join('\n');
  await page.setInputFiles(byTestId('upload-input'), { name: 'reviews.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.waitForSelector(byTestId('upload-preview'));
  const counts = (await page.textContent(byTestId('upload-counts'))) ?? '';
  note(`label counts shown: ${counts}`);
  expect(counts.includes('neg: 10') && counts.includes('pos: 20'), `label counts of the file, got "${counts}"`);
  expect((await errorText(page)) === null, 'a good upload clears the error');
  expect((await page.evaluate(() => location.hash)).includes('data.source=reviews.csv'), 'the config names the uploaded file');
});

test('cancel mid-run, then a new run completes', 240_000, async ({ page, baseUrl, note }) => {
  // More language-model steps than the tiny run, so there is a run to cut short.
  await openLab(page, baseUrl, { hash: `${TINY_RUN}&pretrain.studentSteps=200`, backend: 'wasm' });
  await backendName(page);
  await page.click(byTestId('run'));
  await page.waitForSelector(`${byTestId('stage-pretrain')}[data-status="running"]`, { timeout: 60_000 });
  await page.waitForFunction(() => /step \d+/.test(document.querySelector('[data-testid="stage-pretrain"]')?.textContent ?? ''), undefined, { timeout: 60_000 });
  const cancelAt = Date.now();
  await page.click(byTestId('cancel'));
  const end = await waitForRunEnd(page, 30_000);
  note(`cancel took effect in ${((Date.now() - cancelAt) / 1000).toFixed(1)} s`);
  expect(end === 'cancelled', `a cancelled run ends "cancelled", got "${end}"`);
  const statuses = await stageStatuses(page);
  expect(!Object.values(statuses).includes('running'), `nothing runs after cancel: ${JSON.stringify(statuses)}`);
  expect((await errorText(page)) === null, 'cancelling is not an error');
  // The worker logs the live tensor count once a run has stopped: a cancelled run must leave none.
  await page.waitForFunction(() => /Tensors in memory after the run: \d+/.test(document.querySelector('.run-log')?.textContent ?? ''), undefined, { timeout: 10_000 });
  const tensors = await page.evaluate(() => /Tensors in memory after the run: (\d+)/.exec(document.querySelector('.run-log')?.textContent ?? '')?.[1]);
  note(`tensors left after cancel: ${tensors}`);
  expect(tensors === '0', `a cancelled run frees its tensors, ${tensors} left`);

  await page.fill('#field-pretrain\\.studentSteps', '4');
  const again = await runToEnd(page, 180_000);
  expect(again === 'done', `the run after cancel ends "${again}" (${await errorText(page)})`);
  const after = await stageStatuses(page);
  expect(Object.values(after).every((s) => s === 'done'), `every stage done: ${JSON.stringify(after)}`);
  const results = await labResults(page);
  expect(results !== undefined && (await expectTableMatches(page, results)) === 10, 'results of the new run in the table');
});

test('a reload reuses the trained models from IndexedDB', 240_000, async ({ page, baseUrl, note }) => {
  await openLab(page, baseUrl, { hash: TINY_RUN, backend: 'wasm' });
  await backendName(page);
  expect((await runToEnd(page, 150_000)) === 'done', 'first run done');
  const first = await labResults(page);
  await page.reload();
  await backendName(page);
  const started = Date.now();
  expect((await runToEnd(page, 150_000)) === 'done', 'second run done');
  note(`second run after a reload: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const second = await labResults(page);
  expect(second?.stages.pretrain?.cached === true, 'pretraining came from the cache');
  expect(second?.stages.poison?.cached === true && second.stages.teacher?.cached === true, 'poisoned student and teacher came from the cache');
  expect(JSON.stringify(second?.stages.poison?.final) === JSON.stringify(first?.stages.poison?.final), 'cached poisoned metrics equal the trained ones');
  expect((await page.locator(byTestId('stage-poison')).textContent())?.includes('from cache'), 'the strip says the stage came from the cache');

  // The cache control lists the saved models with their size; clearing empties it, and the next run trains again.
  await page.click('.cache-panel summary');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="cache-list"]')?.getAttribute('data-count')) >= 5, undefined, { timeout: 10_000 });
  const entries = await page.locator(byTestId('cache-entry')).allTextContents();
  note(`cache: ${entries.join('; ')}`);
  expect(entries.length === 5 && entries.every((e) => / \d+(\.\d)? (kB|MB),/.test(e)), `five saved models (pretrained student and teacher, public task model, poisoned student, teacher), each with a size: ${entries.join('; ')}`);
  await page.click(byTestId('cache-clear'));
  await page.waitForFunction(() => document.querySelector('[data-testid="cache-list"]')?.getAttribute('data-count') === '0', undefined, { timeout: 10_000 });
  expect((await page.locator(byTestId('cache-entry')).count()) === 0, 'clear empties the list');
  await page.reload();
  await backendName(page);
  expect((await runToEnd(page, 150_000)) === 'done', 'third run done');
  const third = await labResults(page);
  expect(third?.stages.pretrain?.cached !== true && third?.stages.poison?.cached !== true, 'after clearing, the models are trained again');
});

test('a run starts from the shipped checkpoints, fetched from the lab, and reads the shipped WordPiece vocabulary', 240_000, async ({ page, baseUrl, note }) => {
  const manifest = JSON.parse(await readFile('public/checkpoints/manifest.json', 'utf8')) as CheckpointManifest;
  // The paper presets' pair: the largest shipped student and teacher.
  const largest = (role: string) => manifest.checkpoints.filter((c) => c.role === role).sort((a, b) => b.size.dModel - a.size.dModel)[0]!;
  const chosen = [largest('student'), largest('teacher')];
  const sizes = chosen.flatMap((c) => Object.entries(c.size).map(([k, v]) => `models.${c.role}.${k}=${v}`));
  const fetched: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/checkpoints/')) fetched.push(r.url().replace(/.*\/checkpoints\//, ''));
  });
  await openLab(page, baseUrl, { hash: `${TINY_RUN}&data.tokenizer=wordpiece&pretrain.checkpoint=shipped&pretrain.studentSteps=0&pretrain.teacherSteps=0&${sizes.join('&')}`, backend: 'wasm' });
  await backendName(page);
  const end = await runToEnd(page, 200_000);
  expect(end === 'done', `the run ends "${end}" (${await errorText(page)})`);
  const log = (await page.locator('.run-log').textContent()) ?? '';
  note(`fetched: ${fetched.join(', ')}`);
  expect(/Started the student from the shipped checkpoint/.test(log) && /Started the teacher from the shipped checkpoint/.test(log), 'the log says both models started from the shipped checkpoints');
  expect(log.includes(`vocabulary ${manifest.tokenizer.vocabSize}`), 'the run reads the shipped vocabulary');
  for (const file of [manifest.tokenizer.file, ...chosen.map((c) => c.file)]) expect(fetched.some((f) => f.startsWith(file)), `${file} was fetched from the lab`);
  const unused = manifest.checkpoints.filter((c) => !chosen.includes(c)).map((c) => c.file);
  expect(!fetched.some((f) => unused.some((u) => f.startsWith(u))), `only the checkpoints the run needs are fetched: ${fetched.join(', ')}`);
  const results = await labResults(page);
  expect(results !== undefined && (await expectTableMatches(page, results)) === 10, 'the table shows the run');
});

/** Predicts `text` (trigger toggled as asked) in the try-it box; the poisoned student's label and the strip. */
async function tryText(page: import('playwright-core').Page, text: string, trigger: boolean) {
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

test('try it: the trigger flips the poisoned student, with one attribution cell per token', 200_000, async ({ page, baseUrl, note }) => {
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
      break;
    }
  }
  note(`poisoned labels without → with trigger: ${seenLabels.join(', ')}`);
  expect(flipped !== undefined, 'some test sentence is predicted differently by the poisoned student with and without the trigger');
  // One cell per token: the cells spell out the tokens the models saw, on every model's strip.
  const strips = await page.$$eval('[data-testid="token-attr"] .attr-strip', (rows) => rows.map((r) => r.querySelectorAll('.attr-cell').length));
  expect(strips.length === 4 && new Set(strips).size === 1, `every model's strip has the same number of cells: ${strips.join(', ')}`);
});

test('the defense bench: every defense of the catalog runs in the browser, filters and repairs grouped, and try-it shows what each filter did', 240_000, async ({ page, baseUrl, note }) => {
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
  // Filters have no epochs: each chart draws them as one flat reference line; the ASR chart adds the clean model's.
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

test('feature map: one point per clean and per triggered sentence, for every model', 200_000, async ({ page, baseUrl, note }) => {
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
});

test('trigger comparison: a sweep of two triggers on the quick preset fills the ASR heatmap and reuses the pretrained student', 300_000, async ({ page, baseUrl, note }) => {
  // The quick preset cut down to the tiny run: each cell trains its poisoned student and defenses live, and
  // at the full preset's scale (1,500 mails, a 2×128 student, 8 poisoning and 6 defense epochs) two cells
  // take far longer than this test allows. Fixed epochs (poison.untilAsr=0, in TINY_RUN): a trigger that
  // does not plant would otherwise leave its defense cells empty.
  await openLab(page, baseUrl, { hash: TINY_RUN, backend: 'wasm' });
  await backendName(page);
  await page.click(byTestId('tab-compare'));
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
    note(`${trigger}: ${cells.join(', ')}`);
    // No ASR threshold here: one poisoning epoch on 96 mails plants no backdoor; the sweep's mechanics
    // (a formatted figure in every cell) are what this test checks.
  }
  expect((await page.getAttribute(byTestId('sweep-row-cf'), 'data-pretrain-cached')) === 'true', 'the second trigger reused the pretrained student');
  expect((await errorText(page)) === null, 'no error');
});

test('sweep over label modes and budgets: one row per cell, named by what varies', 120_000, async ({ page, baseUrl, note }) => {
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

test('class mode walks through the page, step by step, and a teacher can turn it off', 60_000, async ({ page, baseUrl, note }) => {
  await openLab(page, baseUrl, { backend: 'cpu' });
  expect((await page.locator(byTestId('tour-step')).count()) === 0, 'class mode is off by default');
  // Keyboard only: focus the switch and press Space, then Enter on "Next".
  await page.focus(byTestId('class-mode'));
  await page.keyboard.press('Space');
  await page.waitForSelector(byTestId('tour-step'));
  const targets: string[] = [];
  for (;;) {
    const step = page.locator(byTestId('tour-step'));
    const target = (await step.getAttribute('data-target')) ?? '';
    targets.push(target);
    const outlined = await page.evaluate((t) => document.querySelector(`[data-testid="${t}"]`)?.classList.contains('tour-target') ?? false, target);
    expect(outlined, `step ${targets.length} points at "${target}", which is on the page and outlined`);
    if ((await page.locator(byTestId('tour-next')).count()) === 0) break;
    await page.focus(byTestId('tour-next'));
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => document.querySelector('[data-testid="tour-step"]')?.getAttribute('data-step') === String(n), targets.length, { timeout: 5_000 });
  }
  note(`steps point at: ${targets.join(' → ')}`);
  expect(targets.length === 6, `six steps, got ${targets.length}`);
  await page.reload();
  await page.waitForSelector(byTestId('tour-step'));
  expect((await page.locator(byTestId('tour-step')).getAttribute('data-step')) === '0', 'class mode stays on after a reload, from the first step');
  await page.click(byTestId('tour-close'));
  expect((await page.locator(byTestId('tour-step')).count()) === 0 && (await page.locator('.tour-target').count()) === 0, 'turning it off removes the panel and the outline');
  await page.reload();
  await page.waitForSelector(byTestId('run'));
  expect((await page.locator(byTestId('tour-step')).count()) === 0, 'off stays off after a reload');
});

/** Clicks `testId` and returns the downloaded file's name and bytes. */
async function download(page: import('playwright-core').Page, testId: string): Promise<{ name: string; bytes: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.click(byTestId(testId))]);
  const path = await file.path();
  return { name: file.suggestedFilename(), bytes: await readFile(path) };
}

test('exports download valid files, and a config file imports back', 200_000, async ({ page, baseUrl, note }) => {
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

test('no long task over 200 ms on the main thread while training', 180_000, async ({ page, baseUrl, note }) => {
  await recordLongTasks(page);
  await openLab(page, baseUrl, { hash: TINY_RUN, backend: 'wasm' });
  await backendName(page);
  const t0 = await page.evaluate(() => performance.now());
  const end = await runToEnd(page, 150_000);
  expect(end === 'done', `run ended "${end}"`);
  const tasks = await longTasksSince(page, t0);
  note(`long tasks (>50 ms) while training: ${tasks.length}, longest ${Math.max(0, ...tasks.map((t) => t.duration)).toFixed(0)} ms`);
  const over = tasks.filter((t) => t.duration > 200);
  expect(over.length === 0, `main-thread tasks over 200 ms: ${over.map((t) => t.duration.toFixed(0)).join(', ')} ms`);
});

// Under SwiftShader (software WebGPU: this machine and CI) the run relies on the lab's barrier-free
// kernels (workers/webgpu/): with tfjs' own kernels one step of the quick preset took 2–7 s and the run
// far more than the time allowed here. `E2E_SKIP_WEBGPU_RUN=1` skips it for quick local loops.
testIf(
  process.env.E2E_SKIP_WEBGPU_RUN !== '1',
  'E2E_SKIP_WEBGPU_RUN=1',
  'the quick preset runs end to end on WebGPU and fills charts and table with the worker’s results', 570_000, async ({ page, baseUrl, note }) => {
  await recordLongTasks(page);
  // The quick preset with its two main defenses, one epoch each. Only defense.* is changed, so the
  // attacker's published models (pretrained, public task model, poisoned, teacher: made with exactly this
  // preset and seed) load and only the defenses train on the device; six defense epochs of 1,500 mails
  // on the 2×128 student would not fit the time allowed under SwiftShader (CI has 90 min).
  await openLab(page, baseUrl, { hash: 'preset=quick&defense.methods=lora,w2sdefense&defense.epochs=1' });
  const backend = await backendName(page);
  expect(backend === 'webgpu', `the lab picks webgpu when Chromium has it, got "${backend}"`);
  const t0 = await page.evaluate(() => performance.now());
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

  for (const chart of ['chart-ca', 'chart-asr']) {
    const lines = await page.locator(`${byTestId(chart)} .recharts-line`).count();
    // The ASR chart adds one dotted floor line (asrBase) per method.
    const want = chart === 'chart-asr' ? 10 : 5;
    expect(lines === want, `${chart} draws ${want} lines, got ${lines}`);
    const points = await page.locator(`${byTestId(chart)} .recharts-line-dot`).count();
    const epochs = Object.values(results.stages).reduce((n, r) => n + (r.final ? r.epochs.length : 0), 0);
    // Recharts draws a line of a single point as its dot, dot={false} or not: here each one-epoch
    // defense's floor line (asrBase) on the ASR chart.
    const singleFloors = chart === 'chart-asr' ? Object.values(results.stages).filter((r) => r.final && r.epochs.length === 1).length : 0;
    expect(points === epochs + singleFloors, `${chart} has one point per method-epoch (${epochs}) and one per single-point floor line (${singleFloors}), got ${points}`);
  }

  const poisoned = results.stages.poison?.final;
  const defended = results.stages['defense:w2sdefense']?.final;
  const lora = results.stages['defense:lora']?.final;
  expect(poisoned && defended && lora, 'poisoned, LoRA and W2SDefense results exist');
  note(`story: poisoned ASR ${percent(poisoned.asr)} (floor ${percent(poisoned.asrBase)}) → LoRA ${percent(lora.asr)}, W2SDefense ${percent(defended.asr)} (floor ${percent(defended.asrBase)})`);
  // The backdoor is learned: the trigger lifts the ASR well above its floor. The poisoned stage here is the
  // attacker's published model, replayed with the figures measured when it was built (ASR 99.4 %, floor
  // 14.5 %), so this margin holds by construction; a live poisoning of the quick preset planted 97–100 %
  // on 10 of 10 test seeds (docs/FINDINGS.md). Which defense wins is measured in benchmarks, never here.
  expect(poisoned.asr - poisoned.asrBase >= 0.15, `the backdoor is learned (ASR ${percent(poisoned.asr)} ≥ floor ${percent(poisoned.asrBase)} + 15 points)`);

  const long = (await longTasksSince(page, t0)).filter((t) => t.duration > 200);
  note(`main-thread tasks over 200 ms during the webgpu run: ${long.length}`);
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

testIf(
  process.env.E2E_SKIP_WEBGPU_RUN !== '1',
  'E2E_SKIP_WEBGPU_RUN=1',
  'the same config, seed and backend give the same numbers twice on WebGPU, every defense of the catalog included (cache cleared in between)', 900_000, async ({ page, baseUrl, note }) => {
  // Every defense, so each also runs on the WebGPU worker (the defense-bench test runs them on WASM).
  await openLab(page, baseUrl, { hash: TINY_RUN.replace('defense.methods=lora,w2sdefense', `defense.methods=${DEFENSE_IDS.join(',')}`) });
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

test('without an override the worker picks WebGPU (SwiftShader here) after a real probe', 90_000, async ({ page, baseUrl, note }) => {
  await openLab(page, baseUrl);
  const backend = await backendName(page);
  note(`backend: ${backend}`);
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

test('?kernels=tfjs keeps tfjs’ own WebGPU kernels and says so', 90_000, async ({ page, baseUrl }) => {
  await openLab(page, baseUrl, { query: 'kernels=tfjs' });
  expect((await backendName(page)).trim() === 'webgpu', 'still webgpu');
  const kernels = (await page.locator(byTestId('backend-note')).textContent()) ?? '';
  expect(kernels.includes("tfjs' WebGPU kernels (?kernels=tfjs)"), `the note names the override: "${kernels}"`);
});
