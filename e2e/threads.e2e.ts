/**
 * Threaded WASM: the lab's servers send COOP/COEP, so the page is cross-origin isolated from the first
 * load and tfjs runs its threaded SIMD binary with one thread per core; on a plain static host (no
 * headers) the service worker adds them and one reload isolates the page. Either way a run completes on
 * the threads and the badge says how many run.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from './harness';
import { backendName, byTestId, errorText, labResults, openLab, runToEnd, TINY_RUN } from './lab-page';
import { serveStatic } from './static-server';

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

async function threadNote(page: import('@playwright/test').Page): Promise<{ note: string; cores: number }> {
  expect((await backendName(page)).trim() === 'wasm', 'the WASM backend runs');
  const note = (await page.locator(byTestId('backend-note')).textContent()) ?? '';
  return { note, cores: await page.evaluate(() => navigator.hardwareConcurrency) };
}

test('threads: WASM runs threaded on the lab\'s own server: isolated from the first load, a thread per core but one, ?threads= obeyed', async ({ page, baseUrl, note }) => {
  test.setTimeout(180_000);
  await openLab(page, baseUrl, { hash: TINY_RUN, backend: 'wasm', query: 'threads=2' });
  expect(await page.evaluate(() => crossOriginIsolated), 'vite preview sends COOP/COEP, so the first load is isolated');
  const asked = await threadNote(page);
  note(asked.note);
  expect(asked.note.includes('WASM, 2 threads (threaded SIMD binary'), `?threads=2 gives 2 threads: "${asked.note}"`);
  await openLab(page, baseUrl, { hash: TINY_RUN, backend: 'wasm' });
  const { note: badge, cores } = await threadNote(page);
  note(badge);
  const threads = Math.min(Math.max(1, cores - 1), 8);
  expect(badge.includes(`WASM, ${threads} thread${threads === 1 ? '' : 's'} (threaded SIMD binary`), `the badge names ${threads} threads: "${badge}"`);
  const end = await runToEnd(page, 150_000);
  expect(end === 'done', `the threaded run ends "${end}" (${await errorText(page)})`);
});

test('threads: on a static host without headers the service worker isolates the page after one reload', async ({ page, note }) => {
  test.setTimeout(180_000);
  const host = await serveStatic(DIST);
  try {
    // Full loads only: the lab also rewrites its hash, which counts as a (same-document) navigation.
    let loads = 0;
    page.on('load', () => loads++);
    await page.goto(`${host.url}?backend=wasm#${TINY_RUN}`);
    await page.waitForSelector(byTestId('run'));
    // The first load cannot be isolated (the host sends no headers); once the worker controls the page,
    // the lab reloads itself once and every file then comes from the worker with the headers.
    await page.waitForFunction(() => crossOriginIsolated, undefined, { timeout: 120_000 });
    await page.waitForSelector(byTestId('run'));
    note(`isolated after ${loads} page load(s)`);
    expect(loads === 2, `exactly one reload (saw ${loads} page loads)`);
    const { note: badge } = await threadNote(page);
    note(badge);
    expect(/^Kernels: WASM, \d+ threads? \(threaded SIMD binary/.test(badge), `threaded after the reload: "${badge}"`);
    // The lab rewrites the hash in its own order; what matters is that the settings survive the reload.
    const hash = new URL(page.url()).hash;
    expect(['data.maxTrain=96', 'defense.methods=lora,w2sdefense'].every((kv) => hash.includes(kv)), `the reload keeps the config in the URL (${hash})`);
  } finally {
    await host.close();
  }
});

test('threads: a page that cannot be isolated says why WASM runs one thread', async ({ page, note }) => {
  test.setTimeout(60_000);
  // The service worker is refused here, so nothing can add the headers: the badge must say so.
  await page.context().route('**/service-worker.js', (route) => route.abort());
  const host = await serveStatic(DIST);
  try {
    await page.goto(`${host.url}?backend=wasm`);
    await page.waitForSelector(byTestId('run'));
    const { note: badge } = await threadNote(page);
    note(badge);
    expect(!(await page.evaluate(() => crossOriginIsolated)), 'not isolated');
    expect(badge.includes('WASM, 1 thread: the page is not cross-origin isolated'), `the badge says why: "${badge}"`);
  } finally {
    await host.close();
  }
});

test('lanes: on WASM the defenses train side by side in a second worker and give the numbers of one after another', async ({ page, baseUrl, note }) => {
  test.setTimeout(300_000);
  const defenses = (r: Awaited<ReturnType<typeof labResults>>) =>
    Object.fromEntries(Object.entries(r?.stages ?? {}).filter(([stage]) => stage.startsWith('defense:')).map(([stage, s]) => [stage, { epochs: s?.epochs, final: s?.final }]));
  const log = async () => (await page.locator('.run-log').textContent()) ?? '';
  await openLab(page, baseUrl, { hash: TINY_RUN, backend: 'wasm' });
  const cores = (await threadNote(page)).cores;
  let end = await runToEnd(page, 150_000);
  expect(end === 'done', `the run with lanes ends "${end}" (${await errorText(page)})`);
  const side = await labResults(page);
  const sideLog = await log();
  if (cores >= 2) expect(sideLog.includes('Defenses side by side: this engine and 1 more'), `the log says the defenses ran side by side (${cores} cores)`);
  // The same run with ?lanes=0 (its attacker's and teacher's models come back from IndexedDB).
  await openLab(page, baseUrl, { hash: TINY_RUN, backend: 'wasm', query: 'lanes=0' });
  end = await runToEnd(page, 150_000);
  expect(end === 'done', `the run without lanes ends "${end}" (${await errorText(page)})`);
  const alone = await labResults(page);
  expect(!(await log()).includes('side by side'), '?lanes=0 runs the defenses one after another');
  expect(Object.keys(defenses(side)).length === 2, 'both defenses report');
  expect(JSON.stringify(defenses(side)) === JSON.stringify(defenses(alone)), `same epochs and final metrics either way:\n${JSON.stringify(defenses(side))}\n${JSON.stringify(defenses(alone))}`);
  note(`${cores} cores; final ASR lora ${side?.stages['defense:lora']?.final?.asr}, w2sdefense ${side?.stages['defense:w2sdefense']?.final?.asr}`);
});
