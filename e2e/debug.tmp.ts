import { launchBrowser, serverUrl, startServer } from './harness';
const server = await startServer(process.cwd());
const browser = await launchBrowser();
const page = await browser.newPage({ viewport: { width: 1440, height: 1050 } });
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.log('console', m.type(), m.text().slice(0, 300)); });
await page.goto(serverUrl(server) + (process.env.Q ?? '') + '#preset=quick' + (process.env.EXTRA ?? ''));
await page.waitForSelector('[data-testid="backend"]', { timeout: 120000 });
console.log('backend', await page.textContent('[data-testid="backend"]'));
const t0 = Date.now();
await page.click('[data-testid="run"]');
let last = '';
while (Date.now() - t0 < 560_000) {
  const st = await page.getAttribute('[data-testid="run-status"]', 'data-status');
  const strip = await page.$$eval('[data-testid^="stage-"]', (c) => c.map((e) => `${e.getAttribute('data-testid')!.slice(6)}=${e.getAttribute('data-status')}:${e.querySelector('.stage-detail')?.textContent}`).join(' | '));
  const line = `${((Date.now() - t0) / 1000).toFixed(0)}s ${st} ${strip}`;
  if (line.slice(line.indexOf(' ')) !== last) console.log(line);
  last = line.slice(line.indexOf(' '));
  if (st !== 'running') break;
  await page.waitForTimeout(10000);
}
console.log('ERROR:', await page.evaluate(() => document.querySelector('[data-testid="error"]')?.textContent));
const r = await page.evaluate(() => window.__labResults);
if (r) for (const [k, v] of Object.entries(r.stages)) console.log(k, v.seconds.toFixed(1), 's', v.samplesPerSecond.toFixed(0), 'sps', JSON.stringify(v.final));
console.log(await page.evaluate(() => [...document.querySelectorAll('.run-log li')].map((l) => l.textContent).join('\n')));
if (process.env.SHOT) await page.screenshot({ path: process.env.SHOT });
await browser.close(); await server.close();
