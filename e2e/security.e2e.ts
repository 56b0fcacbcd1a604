/**
 * Security: the built lab runs under its strict Content-Security-Policy with nothing blocked,
 * asks the network for nothing the user did not start, and renders whatever a dataset, a config or a
 * link holds as text, never as markup.
 */
import type { Page, Worker } from '@playwright/test';
import { expect, test } from './harness';
import { backendName, byTestId, errorText, labResults, openLab, runToEnd, TINY_RUN } from './lab-page';

declare global {
  interface Window {
    __cspViolations?: string[];
    __xss?: number;
  }
}

/** Records the page's CSP violations from its first script on. */
async function recordViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations!.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline code'}`));
  });
}

/** The page's workers that have closed, from now on (a closed worker never answers an evaluate). */
function closedWorkers(page: Page): ReadonlySet<Worker> {
  const closed = new Set<Worker>();
  page.on('worker', (w) => w.on('close', () => closed.add(w)));
  return closed;
}

/**
 * The violations seen by the page and by every worker still open that records them (the lab's worker;
 * a defense lane is closed once its run ends, and its violations reach the console, which the test reads).
 */
async function violations(page: Page, closed: ReadonlySet<Worker>): Promise<string[]> {
  const seen = await page.evaluate(() => window.__cspViolations ?? []);
  for (const worker of page.workers().filter((w) => !closed.has(w))) {
    seen.push(...(await worker.evaluate(() => (self as unknown as { __w2sCspViolations?: string[] }).__w2sCspViolations ?? []).catch(() => [])));
  }
  return seen;
}

test('strict CSP: the page loads and the quick preset runs on WASM with no violation and no request outside the app', async ({ page, context, baseUrl, note }) => {
  test.setTimeout(420_000);
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  const consoleCsp: string[] = [];
  const onConsole = (m: { text(): string }) => {
    if (/Content.Security.Policy/i.test(m.text())) consoleCsp.push(m.text());
  };
  page.on('console', onConsole);
  // Every worker's console too: the defense lanes run and close within the run.
  page.on('worker', (w) => w.on('console', onConsole));
  const closed = closedWorkers(page);
  await recordViolations(page);
  // The quick preset as shipped, so the attacker's published models are fetched and loaded under the
  // policy too; only defense.* is cut (one epoch), which keeps them: the defenses are what trains here.
  const response = await page.goto(`${baseUrl}?backend=wasm#preset=quick&defense.epochs=1`);
  const header = response?.headers()['content-security-policy'] ?? '';
  note(`policy: ${header}`);
  expect(/script-src 'self' 'wasm-unsafe-eval' blob:(;|$)/.test(header) && !/unsafe-inline|'unsafe-eval'/.test(header), `a strict script-src: ${header}`);
  expect(/connect-src 'self' https:\/\/huggingface\.co/.test(header), `connect-src limited to the app and the dataset host: ${header}`);
  // The policy is in force, not only sent: an inline script added to the page does not run, and is reported.
  const inlineRan = await page.evaluate(async () => {
    const script = document.createElement('script');
    script.textContent = 'window.__xss = 99';
    document.head.append(script);
    await new Promise((r) => setTimeout(r, 100));
    const ran = window.__xss === 99;
    const reported = window.__cspViolations!.splice(0).some((v) => v.startsWith('script-src'));
    return { ran, reported };
  });
  expect(!inlineRan.ran && inlineRan.reported, `an inline script is refused and reported: ${JSON.stringify(inlineRan)}`);
  // That refusal was the test's own probe; from here on, the console must stay free of CSP reports.
  consoleCsp.length = 0;
  await page.waitForSelector(byTestId('run'));
  await backendName(page);
  const loadRequests = requests.length;
  const started = Date.now();
  const end = await runToEnd(page, 360_000);
  expect(end === 'done', `the quick run ends "${end}" (${await errorText(page)})`);
  note(`quick preset on wasm under the policy: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const blocked = [...(await violations(page, closed)), ...consoleCsp];
  note(`CSP violations: ${blocked.length}`);
  expect(blocked.length === 0, `nothing blocked by the policy: ${blocked.join('; ')}`);
  const origin = new URL(baseUrl).origin;
  const foreign = requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('blob:') && !u.startsWith('data:'));
  // Blob URLs are the lab's own memory (tfjs' pthread workers), not the network.
  const files = [...new Set(requests.filter((u) => u.startsWith(`${origin}/`)).map((u) => u.replace(origin, '').replace(/\?.*$/, '')))];
  note(`requests: ${loadRequests} while loading, ${requests.length - loadRequests} during the run, ${files.length} distinct files of the app (${requests.filter((u) => u.startsWith('blob:')).length} blob: worker scripts besides), ${foreign.length} outside the app`);
  expect(foreign.length === 0, `only the app's own files are requested: ${foreign.join(', ')}`);
  // And only files the lab ships: nothing the user did not start (the run needs the bundled corpus and the shipped checkpoints).
  const unexpected = files.filter((f) => !/^\/(|index\.html|favicon\.svg|registerSW\.js|service-worker\.js|manifest\.webmanifest|assets\/[^/]+|data\/[^/]+|checkpoints\/[^/]+)$/.test(f));
  expect(unexpected.length === 0, `every request is one of the app's files: ${unexpected.join(', ')}`);
});

const MARKUP = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';

test('nothing from a dataset, a config or a link is rendered as HTML: upload preview, run log, try-it, feature map, results', async ({ page, baseUrl, note }) => {
  test.setTimeout(240_000);
  await recordViolations(page);
  const closed = closedWorkers(page);
  // Script-bearing texts and label names in a file, and a script-bearing trigger in the link.
  const rows = Array.from({ length: 120 }, (_, i) => {
    const label = i % 2 ? `<b>pos</b>` : `<i onmouseover="window.__xss=3">neg</i>`;
    const text = i % 3 === 0 ? `${MARKUP} film number ${i}` : `a plain review number ${i} of the film`;
    return JSON.stringify({ text, label });
  });
  const trigger = encodeURIComponent('<svg onload=window.__xss=4>');
  await openLab(page, baseUrl, { hash: `${TINY_RUN}&attack.kind=custom&attack.trigger=${trigger}&defense.methods=lora,onion,strip`, backend: 'wasm' });
  await backendName(page);
  await page.click(byTestId('dataset-upload'));
  await page.setInputFiles(byTestId('upload-input'), { name: '<img src=x onerror=alert(1)>.jsonl', mimeType: 'application/json', buffer: Buffer.from(rows.join('\n')) });
  await page.waitForSelector(byTestId('upload-preview'));
  const preview = (await page.textContent(byTestId('upload-preview'))) ?? '';
  expect(preview.includes('<img src=x onerror="window.__xss=1">'), `the preview shows the markup as text: ${preview.slice(0, 200)}`);
  expect(preview.includes('<b>pos</b>'), 'label names as text');
  expect((await runToEnd(page, 200_000)) === 'done', `run done (${await errorText(page)})`);
  const results = await labResults(page);
  expect(results?.config.attack.trigger === '<svg onload=window.__xss=4>', `the trigger is kept verbatim: ${results?.config.attack.trigger}`);
  // Try-it with a script-bearing text, through every model and filter.
  await page.click(byTestId('tab-try'));
  await page.fill(byTestId('try-input'), `${MARKUP} typed by hand`);
  await page.click(byTestId('try-predict'));
  await page.waitForFunction(() => (document.querySelector('[data-testid="try-output"]')?.getAttribute('data-text') ?? '').includes('typed by hand'), undefined, { timeout: 60_000 });
  const tryOutput = (await page.textContent(byTestId('try-output'))) ?? '';
  expect(tryOutput.includes('<img src=x onerror="window.__xss=1">'), `try-it shows the typed markup as text: ${tryOutput.slice(0, 120)}`);
  const tryInjected = await page.evaluate(() => document.querySelectorAll('[data-testid="try-output"] img, [data-testid="try-output"] script').length);
  expect(tryInjected === 0, `try-it made no element from the text (${tryInjected})`);
  // The feature map: hover texts are SVG <title>s.
  await page.click(byTestId('tab-features'));
  await page.waitForSelector(`${byTestId('feature-map')} .feature-point`);
  const titles = await page.$$eval('[data-testid="feature-map"] .feature-point title', (ts) => ts.map((t) => t.textContent ?? ''));
  expect(titles.some((t) => t.includes('<img src=x')), 'a feature-map hover shows the markup as text');
  await page.locator(`${byTestId('feature-map')} .feature-point`).first().hover({ force: true }); // points may overlap: the hover itself, not which circle is on top, is under test
  const injected = await page.evaluate(() => ({
    xss: window.__xss,
    // Elements only markup could have made: the lab itself renders none of these.
    elements: document.querySelectorAll('img[src="x"], script:not([src]), svg[onload], [onerror], [onmouseover], b, i[onmouseover]').length,
  }));
  const log = (await page.textContent('.run-log')) ?? '';
  expect(log.includes('"<b>pos</b>" → 0'), `the run log shows the file's label names as text: ${log.slice(0, 300)}`);
  note(`preview, try-it (${tryOutput.length} chars), ${titles.length} feature-map titles and a ${log.length}-character log checked; injected elements: ${injected.elements}`);
  expect(injected.xss === undefined, `no injected script ran (window.__xss = ${injected.xss})`);
  expect(injected.elements === 0, `no element came from the data: ${injected.elements}`);
  const blocked = await violations(page, closed);
  expect(blocked.length === 0, `the policy never had to block anything (it would hide an injection): ${blocked.join('; ')}`);
});
