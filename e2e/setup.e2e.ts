/**
 * The lab in a real browser, setting up and running: links, the form, uploads, cancel, the model cache
 * and the shipped checkpoints. Runs that only need to work use `?backend=wasm` and a tiny config.
 */
import { expect, test } from './harness';
import { backendName, byTestId, errorText, labResults, openLab, runToEnd, stageStatuses, TINY_RUN, waitForRunEnd } from './lab-page';
import { expectTableMatches } from './results-table';
import { tokenize } from '../src/engine/data/tokenizer';
import { WordPieceTokenizer } from '../src/engine/data/wordpiece';
import { readFile } from 'node:fs/promises';
import type { CheckpointManifest } from '../src/engine/models/checkpoint';

test('a shared URL restores the same config', async ({ page, baseUrl, context }) => {
  test.setTimeout(60_000);
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

test('a _hide key hides its control', async ({ page, baseUrl }) => {
  test.setTimeout(60_000);
  await openLab(page, baseUrl, { hash: 'attack.trigger_hide=true&presets_hide=true&defense.lora_hide=true', backend: 'cpu' });
  expect((await page.locator(byTestId('field-attack.trigger')).count()) === 0, 'trigger control hidden');
  expect((await page.locator(byTestId('preset-quick')).count()) === 0, 'presets hidden');
  expect((await page.locator('[data-testid^="field-defense.lora."]').count()) === 0, 'defense LoRA group hidden');
  expect(await page.locator(byTestId('field-attack.kind')).isVisible(), 'other attack controls still shown');
  // Every setting but the lesson's few is folded under Advanced.
  expect(!(await page.locator(byTestId('field-defense.epochs')).isVisible()), 'an advanced control is folded away at first');
  await page.click(`${byTestId('advanced-settings')} > summary`);
  expect(await page.locator(byTestId('field-defense.epochs')).isVisible(), 'other defense controls still shown, under Advanced');
  expect((await page.evaluate(() => location.hash)).includes('attack.trigger_hide=true'), 'the hide survives in the URL the page rewrites');

  await openLab(page, baseUrl, { backend: 'cpu' });
  expect(await page.locator(byTestId('field-attack.trigger')).isVisible(), 'without _hide the trigger control shows');
});

test('the target label is chosen and shown by its class name, for the dataset in use', async ({ page, baseUrl, note }) => {
  test.setTimeout(60_000);
  await openLab(page, baseUrl, { backend: 'cpu' });
  await page.click(`${byTestId('advanced-settings')} > summary`);
  const field = '#field-attack\\.targetLabel';
  const options = () => page.locator(`${field} option`).allTextContents();
  const chosen = () => page.$eval(field, (el) => (el as HTMLSelectElement).selectedOptions[0]?.textContent ?? '');
  const asrTitle = () => page.locator(byTestId('chart-asr-counts')).textContent();
  // The bundled spam corpus: 0 is ham, 1 is spam.
  expect(JSON.stringify(await options()) === '["0 (ham)","1 (spam)"]', `one option per class, by name: ${JSON.stringify(await options())}`);
  expect((await chosen()) === '0 (ham)', `the quick demo's target reads "0 (ham)", got "${await chosen()}"`);
  expect((await asrTitle())?.endsWith('read as the target, 0 (ham)'), `the ASR chart names the target class: "${await asrTitle()}"`);
  expect((await page.locator(byTestId('results-target')).textContent()) === '0 (ham)', 'the results table names the target class');
  // Choosing by name sets the number the config and the link carry.
  await page.selectOption(field, { label: '1 (spam)' });
  await page.waitForFunction(() => location.hash.includes('attack.targetLabel=1'), undefined, { timeout: 5_000 });
  expect((await asrTitle())?.endsWith('read as the target, 1 (spam)'), `the ASR chart follows the choice: "${await asrTitle()}"`);

  // AG News has four topics; a link's target label is named in its terms.
  await openLab(page, baseUrl, { hash: 'data.source=ag_news&attack.targetLabel=3', backend: 'cpu' });
  await page.click(`${byTestId('advanced-settings')} > summary`);
  note(`AG News: ${(await options()).join(', ')}`);
  expect((await options()).length === 4 && (await chosen()) === '3 (Sci/Tech)', `AG News's target 3 reads "3 (Sci/Tech)", got "${await chosen()}" of ${JSON.stringify(await options())}`);
});

test('setup shows how the shipped vocabulary splits the trigger, live as it is typed', async ({ page, baseUrl, note }) => {
  test.setTimeout(60_000);
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
  await page.click(`${byTestId('advanced-settings')} > summary`);
  await page.selectOption('#field-data\\.tokenizer', 'word');
  await showing(tokenize(typed));
  const word = (await page.locator(byTestId('trigger-preview')).textContent()) ?? '';
  expect(/built from the dataset/.test(word), `the word tokenizer's note: "${word}"`);
});

test('a malformed upload shows a clear error and the lab still runs', async ({ page, baseUrl, note }) => {
  test.setTimeout(180_000);
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

test('cancel mid-run, then a new run completes', async ({ page, baseUrl, note }) => {
  test.setTimeout(240_000);
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

  await page.click(`${byTestId('advanced-settings')} > summary`); // the LM steps are an advanced setting
  await page.fill('#field-pretrain\\.studentSteps', '4');
  const again = await runToEnd(page, 180_000);
  expect(again === 'done', `the run after cancel ends "${again}" (${await errorText(page)})`);
  const after = await stageStatuses(page);
  expect(Object.values(after).every((s) => s === 'done'), `every stage done: ${JSON.stringify(after)}`);
  const results = await labResults(page);
  expect(results !== undefined && (await expectTableMatches(page, results)) === 10, 'results of the new run in the table');
});

test('a reload reuses the trained models from IndexedDB', async ({ page, baseUrl, note }) => {
  test.setTimeout(240_000);
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
  // Named for people: no entry shows its raw cache key.
  expect(entries.every((e) => !/^[a-z-]+-[0-9a-f]{8} /.test(e)), `every saved model is named: ${entries.join('; ')}`);
  await page.click(byTestId('cache-clear'));
  await page.waitForFunction(() => document.querySelector('[data-testid="cache-list"]')?.getAttribute('data-count') === '0', undefined, { timeout: 10_000 });
  expect((await page.locator(byTestId('cache-entry')).count()) === 0, 'clear empties the list');
  await page.reload();
  await backendName(page);
  expect((await runToEnd(page, 150_000)) === 'done', 'third run done');
  const third = await labResults(page);
  expect(third?.stages.pretrain?.cached !== true && third?.stages.poison?.cached !== true, 'after clearing, the models are trained again');
});

test('a run starts from the shipped checkpoints, fetched from the lab, and reads the shipped WordPiece vocabulary', async ({ page, baseUrl, note }) => {
  test.setTimeout(240_000);
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

