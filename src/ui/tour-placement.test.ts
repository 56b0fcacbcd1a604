import { describe, expect, it } from 'vitest';
import { overlaps, placeTourBox, TOUR_GAP, TOUR_MARGIN, type Rect } from './tour-placement';

const screen = { width: 1400, height: 900 };
const box = { width: 340, height: 200 };
const boxAt = (p: { left: number; top: number }): Rect => ({ ...p, ...box });
const inside = (r: Rect) => r.left >= TOUR_MARGIN && r.top >= TOUR_MARGIN && r.left + r.width <= screen.width - TOUR_MARGIN && r.top + r.height <= screen.height - TOUR_MARGIN;

describe('placing the class-mode box', () => {
  it('puts it to the right of a field in the left column, lined up with it', () => {
    const field = { left: 40, top: 500, width: 400, height: 30 };
    const p = placeTourBox(field, box, screen);
    expect(p).toEqual({ left: 440 + TOUR_GAP, top: 500, side: 'right' });
  });

  it('goes left of a chart at the window’s right edge, clear of it and of its axis', () => {
    const chart = { left: 915, top: 356, width: 431, height: 298 };
    const p = placeTourBox(chart, box, screen);
    expect(p.side).toBe('left');
    expect(overlaps(boxAt(p), chart)).toBe(false);
    expect(inside(boxAt(p))).toBe(true);
  });

  it('follows a preferred side when it fits, and skips it when it does not', () => {
    const tab = { left: 480, top: 450, width: 90, height: 30 };
    expect(placeTourBox(tab, box, screen, ['above'])).toMatchObject({ side: 'above', top: 450 - TOUR_GAP - 200 });
    const tabAtTop = { ...tab, top: 20 };
    const p = placeTourBox(tabAtTop, box, screen, ['above']);
    expect(p.side).toBe('right');
    expect(overlaps(boxAt(p), tabAtTop)).toBe(false);
  });

  it('keeps the box in the window when the target sits low', () => {
    const low = { left: 40, top: 860, width: 300, height: 30 };
    const p = placeTourBox(low, box, screen);
    expect(inside(boxAt(p))).toBe(true);
    expect(overlaps(boxAt(p), low)).toBe(false);
  });

  it('with no room clear of a target as big as the window, takes the corner farthest from its centre', () => {
    // Its centre is left of and above the window's: the box goes to the bottom right.
    const huge = { left: 0, top: 0, width: 1300, height: 860 };
    expect(placeTourBox(huge, box, screen)).toEqual({ left: 1400 - 340 - TOUR_MARGIN, top: 900 - 200 - TOUR_MARGIN, side: 'over' });
  });

  it('tells overlapping rectangles from ones that only touch', () => {
    const a = { left: 0, top: 0, width: 10, height: 10 };
    expect(overlaps(a, { left: 5, top: 5, width: 10, height: 10 })).toBe(true);
    expect(overlaps(a, { left: 10, top: 0, width: 10, height: 10 })).toBe(false);
  });
});
