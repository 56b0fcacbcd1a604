/**
 * Class mode in a real browser: each step outlines its target, opens the explore tab it is about, and
 * shows its box beside the target, never over it, both inside the window, at the lab's test size and
 * at a projector's 1024 × 768; keyboard only; on or off remembered across reloads.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './harness';
import { byTestId, openLab } from './lab-page';

/** Where the class-mode box and its step's target are: the box must be beside the target, both in the window, the target not covered. */
async function tourGeometry(page: Page, target: string) {
  return page.evaluate((t) => {
    const box = document.querySelector('[data-testid="tour-step"]')!.getBoundingClientRect();
    const el = document.querySelector(`[data-testid="${t}"]`)!;
    const r = el.getBoundingClientRect();
    const within = (a: DOMRect) => a.top >= 0 && a.left >= 0 && a.bottom <= window.innerHeight && a.right <= document.documentElement.clientWidth;
    // What is drawn at the target's centre: the target (or a part of it), not something over it.
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    const fmt = (a: DOMRect) => `${a.left.toFixed(0)},${a.top.toFixed(0)} ${a.width.toFixed(0)}×${a.height.toFixed(0)}`;
    return {
      overlaps: box.left < r.right && r.left < box.right && box.top < r.bottom && r.top < box.bottom,
      targetInView: r.width > 0 && r.height > 0 && within(r),
      boxInView: within(box),
      targetSeen: hit !== null && (hit === el || el.contains(hit)),
      where: `box ${fmt(box)}, target ${fmt(r)} in ${window.innerWidth}×${window.innerHeight}`,
    };
  }, target);
}

/** Every step of the tour, checked where it stands; `next` moves to the following step. Returns the targets in order. */
async function walkTour(page: Page, next: () => Promise<void>): Promise<string[]> {
  const targets: string[] = [];
  for (;;) {
    const step = page.locator(byTestId('tour-step'));
    await page.waitForFunction((n) => document.querySelector('[data-testid="tour-step"]')?.getAttribute('data-step') === String(n) && document.querySelector('[data-testid="tour-step"]')?.hasAttribute('data-side'), targets.length, { timeout: 5_000 });
    const target = (await step.getAttribute('data-target')) ?? '';
    targets.push(target);
    const n = targets.length;
    const outlined = await page.evaluate((t) => document.querySelector(`[data-testid="${t}"]`)?.classList.contains('tour-target') ?? false, target);
    expect(outlined, `step ${n} points at "${target}", which is on the page and outlined`);
    const g = await tourGeometry(page, target);
    expect(!g.overlaps, `step ${n}: the box covers its target "${target}" (${g.where})`);
    expect(g.targetInView && g.targetSeen, `step ${n}: the target "${target}" is in the window and not covered (${g.where})`);
    expect(g.boxInView, `step ${n}: the box is inside the window (${g.where})`);
    // A step about an explore tab opens it.
    if (target.startsWith('tab-')) expect((await page.locator(byTestId(target)).getAttribute('aria-selected')) === 'true', `step ${n} opens the tab it points at, "${target}"`);
    if ((await page.locator(byTestId('tour-next')).count()) === 0) return targets;
    await next();
  }
}

test('class mode walks through the page, step by step, beside what each step points at, and a teacher can turn it off', async ({ page, baseUrl, note }) => {
  test.setTimeout(60_000);
  await openLab(page, baseUrl, { backend: 'cpu' });
  expect((await page.locator(byTestId('tour-step')).count()) === 0, 'class mode is off by default');
  // Keyboard only: focus the switch and press Space, then Enter on "Next".
  await page.focus(byTestId('class-mode'));
  await page.keyboard.press('Space');
  await page.waitForSelector(byTestId('tour-step'));
  const targets = await walkTour(page, async () => {
    await page.focus(byTestId('tour-next'));
    await page.keyboard.press('Enter');
  });
  note(`steps point at: ${targets.join(' → ')}`);
  expect(targets.length === 7, `seven steps, got ${targets.length}`);
  // A projector's window: every step still beside its target, in view.
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.reload();
  await page.waitForSelector(byTestId('tour-step'));
  expect((await page.locator(byTestId('tour-step')).getAttribute('data-step')) === '0', 'class mode stays on after a reload, from the first step');
  expect((await walkTour(page, () => page.click(byTestId('tour-next')))).length === 7, 'seven steps at 1024 × 768');
  await page.click(byTestId('tour-close'));
  expect((await page.locator(byTestId('tour-step')).count()) === 0 && (await page.locator('.tour-target').count()) === 0, 'turning it off removes the panel and the outline');
  await page.reload();
  await page.waitForSelector(byTestId('run'));
  expect((await page.locator(byTestId('tour-step')).count()) === 0, 'off stays off after a reload');
});
