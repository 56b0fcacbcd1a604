/**
 * Offline: once the lab has loaded, its service worker has precached the app, the engine's WASM
 * binaries and the bundled corpus, so a reload without any network still opens the lab and a run on the
 * bundled data completes.
 */
import { expect, test } from './harness';
import { backendName, byTestId, errorText, openLab, runToEnd, TINY_RUN } from './lab-page';

test('offline: after one visit the lab reloads and runs on the bundled data with the network cut', async ({ page, context, baseUrl, note }) => {
  test.setTimeout(180_000);
  await openLab(page, baseUrl, { hash: TINY_RUN, backend: 'wasm' });
  // The service worker precaches on install; wait until it is active and controls the page.
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  note(`service worker active for ${scope}`);
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

  await context.setOffline(true);
  try {
    // A same-origin file the service worker does not hold: online the server answers (404), offline
    // the request itself fails.
    const cut = await page.evaluate(async () => {
      try {
        await fetch(`not-precached-${Date.now()}.txt`, { cache: 'no-store' });
        return false;
      } catch {
        return true;
      }
    });
    expect(cut, 'the network is really cut (a file outside the precache cannot be fetched)');
    await page.reload();
    await page.waitForSelector(byTestId('run'));
    expect((await backendName(page)).trim() === 'wasm', 'the WASM backend starts offline (its binary comes from the cache)');
    const end = await runToEnd(page, 150_000);
    expect(end === 'done', `the offline run ends "${end}" (${await errorText(page)})`);
    const poisoned = (await page.locator(byTestId('result-poisoned-asr')).textContent()) ?? '';
    note(`offline run done; poisoned ASR ${poisoned}`);
    expect(/%/.test(poisoned), 'the results table is filled');
  } finally {
    await context.setOffline(false);
  }
});
