/**
 * Faults: a lost GPU, a full or damaged model cache, a reload in the middle of a run, and files
 * too big to parse on the page's thread. Each must end in a sentence for the user and a lab that still
 * runs, with nothing half-done trusted later.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './harness';
import { backendName, byTestId, errorText, labResults, openLab, runToEnd, TINY_RUN, waitForRunEnd } from './lab-page';
import { cpuOver, describeTasks, traceMainThread } from './main-thread';
import { MAX_UPLOAD_BYTES } from '../src/engine/data/upload';

/** The warnings the run log shows (the worker's `log` events of level warn). */
async function logText(page: Page): Promise<string> {
  return (await page.textContent('.run-log')) ?? '';
}

/** Every saved model in the page's IndexedDB, as the cache panel would list it. */
async function cacheKeys(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('w2s-backdoor-lab', 1);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction('models', 'readonly').objectStore('models').getAllKeys();
          req.onsuccess = () => resolve((req.result as string[]).slice());
          req.onerror = () => reject(req.error);
        };
      }),
  );
}

/** The lab worker's live tensor count, read through its test hook. */
async function workerTensors(page: Page): Promise<number> {
  const worker = page.workers().find((w) => w.url().includes('lab.worker'));
  if (!worker) throw new Error('the lab worker is not running');
  return worker.evaluate(() => (self as unknown as { __w2sTestHooks: { numTensors(): number } }).__w2sTestHooks.numTensors());
}

test('cancel in the real worker at three more moments (mid-poisoning, inside ONION, in a sweep\'s second cell): no tensor left, and a run then completes', async ({ page, baseUrl, note }) => {
  test.setTimeout(300_000);
  await openLab(page, baseUrl, { hash: `${TINY_RUN}&poison.epochs=6&defense.methods=lora,onion`, backend: 'wasm' });
  await backendName(page);
  const left: string[] = [];
  const cancelWhen = async (what: string, ready: () => Promise<unknown>) => {
    await page.click(byTestId('run'));
    await ready();
    await page.click(byTestId('cancel'));
    const end = await waitForRunEnd(page, 60_000);
    expect(end === 'cancelled', `${what}: the run ends "cancelled", got "${end}"`);
    left.push(`${what}: ${await workerTensors(page)}`);
  };
  await cancelWhen('mid-poisoning', () => page.waitForFunction(() => /step \d+/.test(document.querySelector('[data-testid="stage-poison"]')?.textContent ?? ''), undefined, { timeout: 120_000 }));
  await cancelWhen('inside ONION', () => page.waitForSelector(`${byTestId('stage-defense:onion')}[data-status="running"]`, { timeout: 180_000 }));
  await page.click(byTestId('tab-compare'));
  await page.fill(byTestId('sweep-triggers'), 'mn, cf');
  await page.click(byTestId('sweep-run'));
  await page.waitForFunction(() => /Cell 2 of 2/.test(document.querySelector('[data-testid="sweep-status"]')?.textContent ?? ''), undefined, { timeout: 240_000, polling: 100 });
  await page.click(byTestId('sweep-cancel'));
  await page.waitForSelector(`${byTestId('sweep-status')}[data-status="cancelled"]`, { timeout: 60_000, state: 'attached' });
  left.push(`a sweep's second cell: ${await workerTensors(page)}`);
  note(`tensors in the worker after each cancel: ${left.join('; ')}`);
  expect(left.every((l) => l.endsWith(': 0')), `every cancel frees every tensor: ${left.join('; ')}`);
  expect((await runToEnd(page, 200_000)) === 'done', `a run after the cancels completes (${await errorText(page)})`);
});

test('a lost GPU (device.destroy() mid-run) ends the run with a message, offers the next backend, and the run on it completes', async ({ page, baseUrl, note }) => {
  test.skip(process.env.E2E_SKIP_WEBGPU_RUN === '1', 'E2E_SKIP_WEBGPU_RUN=1');
  test.setTimeout(420_000);
    await openLab(page, baseUrl, { hash: TINY_RUN, backend: 'webgpu' });
    const backend = await backendName(page);
    expect(backend.startsWith('webgpu'), `the lab starts on WebGPU here (got ${backend})`);
    await page.click(byTestId('run'));
    await page.waitForSelector(`${byTestId('stage-poison')}[data-status="running"]`, { timeout: 240_000 });
    const worker = page.workers().find((w) => w.url().includes('lab.worker'));
    expect(worker, 'the lab worker is running');
    const lostAt = Date.now();
    expect(await worker.evaluate(() => (self as unknown as { __w2sTestHooks: { loseWebGpuDevice(): boolean } }).__w2sTestHooks.loseWebGpuDevice()), 'the hook destroyed the device');
    const end = await waitForRunEnd(page, 60_000);
    // The engine may fail a buffer read first; the worker's answer, with the way out, follows within a second.
    const offer = page.getByRole('button', { name: /^Switch to / });
    await offer.waitFor({ timeout: 10_000 });
    const message = (await errorText(page)) ?? '';
    note(`run ended "${end}" ${((Date.now() - lostAt) / 1000).toFixed(1)} s after the loss: ${message}`);
    expect(end === 'error', `the run stops with an error, got "${end}"`);
    expect(/^The GPU device was lost \(.*\), so this run has ended\. Switch to the \w+ backend to carry on\.$/.test(message), `the message says what happened and what to do: ${message}`);
    const offered = (await offer.textContent()) ?? '';
    await offer.click();
    await page.waitForURL(/backend=/);
    const next = await backendName(page);
    note(`offered "${offered}"; the page came back on ${next}`);
    expect(!next.startsWith('webgpu'), `the page reloads on another backend (${next})`);
    const again = await runToEnd(page, 300_000);
    expect(again === 'done', `the run on ${next} completes, got "${again}" (${await errorText(page)})`);
  },
);

test('a full disk (IndexedDB quota exceeded): the run completes, says the models were not saved, and the next run trains again', async ({ page, context, baseUrl, note }) => {
  test.setTimeout(240_000);
  await openLab(page, baseUrl, { hash: TINY_RUN, backend: 'wasm' });
  await backendName(page);
  const cdp = await context.newCDPSession(page);
  const origin = new URL(baseUrl).origin;
  // A quota smaller than one model: every write fails as on a full disk.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 64 * 1024 });
  expect((await runToEnd(page, 200_000)) === 'done', `run done on a full disk (${await errorText(page)})`);
  const log = await logText(page);
  const unsaved = log.match(/Could not save \S+ to the model cache \(the browser's storage for this site is full\)/g) ?? [];
  note(`models the run could not save: ${unsaved.length}; first: ${unsaved[0]}`);
  expect(unsaved.length >= 3, `the log says which models were not saved and why: ${log.slice(0, 400)}`);
  expect((await errorText(page)) === null, 'a full cache is a warning, not an error');
  expect((await cacheKeys(page)).length === 0, 'nothing half-written was kept');
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  expect((await runToEnd(page, 200_000)) === 'done', 'the next run, with room again, completes');
  const second = await labResults(page);
  expect(second?.stages.pretrain?.cached !== true, 'it trained: nothing had been saved');
  expect((await cacheKeys(page)).length >= 5, 'and saved its models this time');
});

test('a damaged cache entry is noticed, retrained and replaced; the cache panel marks it and can clear it', async ({ page, baseUrl, note }) => {
  test.setTimeout(240_000);
  await openLab(page, baseUrl, { hash: TINY_RUN, backend: 'wasm' });
  await backendName(page);
  expect((await runToEnd(page, 200_000)) === 'done', 'first run done');
  // Spoil the poisoned student's entry in place, as a disk error or a hand-edited store would.
  const spoiled = await page.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('w2s-backdoor-lab', 1);
        open.onsuccess = () => {
          const store = open.result.transaction('models', 'readwrite').objectStore('models');
          const all = store.getAll();
          all.onsuccess = () => {
            const entry = (all.result as { key: string; weights: Record<string, { data: Float32Array }> }[]).find((e) => e.key.startsWith('poison-'))!;
            const name = Object.keys(entry.weights).find((n) => !n.startsWith('__'))!;
            entry.weights[name]!.data[0]! += 1;
            store.put(entry).onsuccess = () => resolve(entry.key);
          };
          all.onerror = () => reject(all.error);
        };
      }),
  );
  await page.reload();
  await backendName(page);
  await page.click('.cache-panel summary');
  await page.waitForSelector(byTestId('cache-damaged'));
  note(`cache panel: ${(await page.locator(byTestId('cache-damaged')).textContent())?.trim()}`);
  expect((await runToEnd(page, 200_000)) === 'done', `the run after the damage completes (${await errorText(page)})`);
  const log = await logText(page);
  expect(log.includes(`The cached model ${spoiled} is damaged: its checksum does not match its contents. It is trained again and saved anew.`), `the log says which entry was damaged: ${log.slice(0, 300)}`);
  const results = await labResults(page);
  expect(results?.stages.pretrain?.cached === true && results.stages.poison?.cached !== true, 'only the damaged stage was retrained');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="cache-damaged"]').length === 0, undefined, { timeout: 10_000 });
  await page.click(byTestId('cache-clear'));
  await page.waitForFunction(() => document.querySelector('[data-testid="cache-list"]')?.getAttribute('data-count') === '0', undefined, { timeout: 10_000 });
});

test('a reload in the middle of a run leaves no half-written cache entry: the next run trusts only whole ones', async ({ page, baseUrl, note }) => {
  test.setTimeout(240_000);
  await openLab(page, baseUrl, { hash: `${TINY_RUN}&poison.epochs=6`, backend: 'wasm' });
  await backendName(page);
  await page.click(byTestId('run'));
  await page.waitForSelector(`${byTestId('stage-poison')}[data-status="running"]`, { timeout: 120_000 });
  await page.waitForFunction(() => /step \d+/.test(document.querySelector('[data-testid="stage-poison"]')?.textContent ?? ''), undefined, { timeout: 60_000 });
  await page.reload();
  await backendName(page);
  const kept = await cacheKeys(page);
  note(`kept after the reload: ${kept.map((k) => k.replace(/-[0-9a-f]+$/, '')).join(', ')}`);
  expect(kept.every((k) => /^(pretrain-student|pretrain-teacher|task)-/.test(k)), `only stages that had finished were saved: ${kept.join(', ')}`);
  expect((await runToEnd(page, 200_000)) === 'done', `the run after the reload completes (${await errorText(page)})`);
  const results = await labResults(page);
  const log = await logText(page);
  expect(!/is damaged|does not fit this run|Could not read the model cache/.test(log), `every entry the run read was whole: ${log.slice(0, 300)}`);
  expect(results?.stages.pretrain?.cached === true && results.stages.poison?.cached !== true, 'finished stages came from the cache, the interrupted one trained');
});

test(`a big upload is read off the page's thread with progress; a file over ${MAX_UPLOAD_BYTES / 2 ** 20} MB is refused naming the limit; the previous dataset stays`, async ({ page, baseUrl, note }) => {
  test.setTimeout(240_000);
  const dir = await mkdtemp(join(tmpdir(), 'w2s-upload-'));
  const rows = Array.from({ length: 200_000 }, (_, i) => JSON.stringify({ text: `review ${i}: ${'a fine and thoughtful film about people '.repeat(3)}`, label: i % 2 }));
  const big = join(dir, 'big.jsonl');
  await writeFile(big, rows.join('\n'));
  await openLab(page, baseUrl, { hash: TINY_RUN, backend: 'wasm' });
  await backendName(page);
  await page.click(byTestId('dataset-upload'));
  const { result: progress, tasks } = await traceMainThread(page, async () => {
    await page.setInputFiles(byTestId('upload-input'), big);
    await page.waitForSelector(byTestId('upload-progress'), { timeout: 10_000 });
    const shown = (await page.textContent(byTestId('upload-progress'))) ?? '';
    await page.waitForSelector(byTestId('upload-preview'), { timeout: 120_000 });
    return shown;
  });
  const counts = (await page.textContent(byTestId('upload-counts'))) ?? '';
  note(`progress shown: "${progress.trim()}"; then ${counts}; main thread while reading: ${describeTasks(tasks)}`);
  expect(/^(Reading|Parsing) big\.jsonl: [\d.]+ of [\d.]+ MB/.test(progress.trim()), `progress names the file and the MB: ${progress}`);
  expect(counts === '0: 100000 · 1: 100000', `every row counted: ${counts}`);
  // Reading on the page's thread costs far more than this: deserialising the file's text alone held it
  // 200–260 ms. The busiest task here (React drawing the preview) spent 24–64 ms on the CPU in 12 runs,
  // 11 with training jobs on both cores (64 ms with two sweep jobs beside the browser; 31 ms with none;
  // e2e/main-thread.ts says why the CPU time).
  const busy = cpuOver(tasks, 100);
  expect(busy.length === 0, `the page never froze: main-thread tasks over 100 ms on the CPU: ${busy.join(', ')} ms`);

  const huge = join(dir, 'huge.jsonl');
  await writeFile(huge, Buffer.alloc(MAX_UPLOAD_BYTES + 1, 0x20));
  await page.setInputFiles(byTestId('upload-input'), huge);
  await page.waitForFunction(() => /huge\.jsonl is/.test(document.querySelector('[data-testid="error"]')?.textContent ?? ''), undefined, { timeout: 30_000 });
  const refused = (await errorText(page)) ?? '';
  note(`over the limit: ${refused}`);
  expect(refused.includes(`the lab reads files up to ${MAX_UPLOAD_BYTES / 2 ** 20} MB`) && refused.endsWith('The lab keeps the dataset "big.jsonl".'), `refused naming the limit, keeping the dataset: ${refused}`);
  expect((await page.evaluate(() => location.hash)).includes('data.source=big.jsonl'), 'the previous upload is still the dataset');
});
