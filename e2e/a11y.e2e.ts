/**
 * Accessibility, checked by axe-core (the engine behind Lighthouse's audit) against WCAG 2 A and AA:
 * on the setup screen, after a run (charts, table), and on each explore tab. Every serious or critical
 * violation fails the test with the rule, the element and axe's help text.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';
import { expect, test } from './harness';
import { backendName, byTestId, errorText, openLab, runToEnd, TINY_RUN } from './lab-page';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

async function violations(page: Page): Promise<AxeViolation[]> {
  // Evaluated by the test driver, not added as a <script>: the lab's CSP (rightly) refuses inline
  // scripts, and the audit must see the page as it runs under that policy.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(`${await readFile(axePath, 'utf8')}\n;window.axe = axe;`);
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

const describe = (vs: AxeViolation[]) => vs.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`).join('\n      ');

test('accessibility: no serious or critical WCAG 2 A/AA violations on setup, results and every explore tab', async ({ page, baseUrl, note }) => {
  test.setTimeout(120_000);
  await openLab(page, baseUrl, { hash: TINY_RUN, backend: 'wasm' });
  await backendName(page);
  const setup = await violations(page);
  expect(setup.length === 0, `setup screen:\n      ${describe(setup)}`);
  const end = await runToEnd(page, 100_000);
  expect(end === 'done', `the run ends "${end}" (${await errorText(page)})`);
  const results = await violations(page);
  expect(results.length === 0, `after a run:\n      ${describe(results)}`);
  for (const tab of ['try', 'features', 'compare']) {
    await page.click(byTestId(`tab-${tab}`));
    await page.waitForTimeout(500);
    const found = await violations(page);
    expect(found.length === 0, `tab ${tab}:\n      ${describe(found)}`);
  }
  note('axe-core: 0 serious or critical violations on 5 screens');
});
