import { preview } from 'vite';
import { launchBrowser } from './harness';
import { TINY_RUN, waitForRunEnd, recordLongTasks } from './lab-page';
const server = await preview({ root: process.cwd(), build: { outDir: '/tmp/dist-debug' }, logLevel: 'warn', preview: { host: '127.0.0.1', port: 0 } });
const browser = await launchBrowser();
for (let rep = 0; rep < 3; rep++) {
  const page = await browser.newPage();
  await recordLongTasks(page);
  await page.goto(server.resolvedUrls!.local[0] + '?backend=wasm#' + TINY_RUN + (process.env.EXTRA ?? ''));
  await page.waitForSelector('[data-testid="backend"]');
  const t0 = await page.evaluate(() => performance.now());
  await page.click('[data-testid="run"]');
  await waitForRunEnd(page, 100000);
  const tasks = await page.evaluate((t) => window.__longTasks!.filter((x) => x.start >= t).map((x) => Math.round(x.duration)), t0);
  console.log('long tasks during run:', JSON.stringify(tasks), 'sum', tasks.reduce((a, b) => a + b, 0));
  await page.close();
}
await browser.close(); await server.close();
