import { preview } from 'vite';
import { launchBrowser } from './harness';
import { TINY_RUN, waitForRunEnd, recordLongTasks } from './lab-page';
const server = await preview({ root: process.cwd(), build: { outDir: process.env.OUT ?? '/tmp/dist-debug' }, logLevel: 'warn', preview: { host: '127.0.0.1', port: 0 } });
const browser = await launchBrowser();
for (let rep = 0; rep < 4; rep++) {
  const page = await browser.newPage();
  await recordLongTasks(page);
  await page.goto(server.resolvedUrls!.local[0] + '?backend=wasm#' + TINY_RUN + (process.env.EXTRA ?? ''));
  await page.waitForSelector('[data-testid="backend"]');
  await page.evaluate(() => {
    (window as any).__marks = [];
    new MutationObserver(() => {
      const st = document.querySelector('[data-testid="run-status"]')?.getAttribute('data-status');
      const stages = [...document.querySelectorAll('[data-testid^="stage-"]')].map(e => e.getAttribute('data-status')?.[0]).join('');
      const pts = document.querySelectorAll('[data-testid="chart-ca"] .recharts-line-dot').length + '/' + document.querySelectorAll('[data-testid="chart-asr"] .recharts-line-dot').length;
      const m = (window as any).__marks; const key = st + ' ' + stages + ' ' + pts;
      if (m.length === 0 || m[m.length-1][1] !== key) m.push([Math.round(performance.now()), key]);
    }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  const t0 = await page.evaluate(() => performance.now());
  await page.click('[data-testid="run"]');
  await waitForRunEnd(page, 100000);
  await page.waitForTimeout(300);
  const tasks = await page.evaluate((t) => window.__longTasks!.filter((x) => x.start >= t).map((x) => [Math.round(x.start), Math.round(x.duration)]), t0);
  console.log('t0', Math.round(t0), 'long tasks:', JSON.stringify(tasks));
  if (process.env.MARKS) console.log(JSON.stringify(await page.evaluate(() => (window as any).__marks)));
  await page.close();
}
await browser.close(); await server.close();
