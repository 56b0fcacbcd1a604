/**
 * Where the class-mode box goes: beside the element its step points at, never over it, and inside the
 * window. A pure function of rectangles, so the rule is unit-tested without a page; `ClassMode` feeds it
 * the target's and the box's measured sizes whenever the page moves.
 */

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export type Side = 'right' | 'left' | 'below' | 'above';

export interface Placement {
  left: number;
  top: number;
  /** The side of the target the box sits on; `over` when the window has no room clear of the target. */
  side: Side | 'over';
}

/** Space kept between the box and its target (the target's outline sits 4 px outside it), and from the window's edges. */
export const TOUR_GAP = 14;
export const TOUR_MARGIN = 8;

const SIDES: readonly Side[] = ['right', 'left', 'below', 'above'];

const clamp = (value: number, min: number, max: number) => Math.max(min, Math.min(value, max));

/**
 * The first side, in `prefer`'s order then the rest, where the whole box fits in the window clear of the
 * target; along the other axis the box lines up with the target as far as the window allows. With no
 * room anywhere (a target as big as the window) the box goes where it covers the least of it.
 */
export function placeTourBox(target: Rect, box: { width: number; height: number }, window: { width: number; height: number }, prefer: readonly Side[] = []): Placement {
  const order = [...prefer, ...SIDES.filter((s) => !prefer.includes(s))];
  const maxLeft = window.width - box.width - TOUR_MARGIN;
  const maxTop = window.height - box.height - TOUR_MARGIN;
  const alongY = clamp(target.top, TOUR_MARGIN, maxTop);
  const alongX = clamp(target.left, TOUR_MARGIN, maxLeft);
  const candidates: Record<Side, Placement> = {
    right: { left: target.left + target.width + TOUR_GAP, top: alongY, side: 'right' },
    left: { left: target.left - TOUR_GAP - box.width, top: alongY, side: 'left' },
    below: { left: alongX, top: target.top + target.height + TOUR_GAP, side: 'below' },
    above: { left: alongX, top: target.top - TOUR_GAP - box.height, side: 'above' },
  };
  const fits = (p: Placement) => p.left >= TOUR_MARGIN && p.left <= maxLeft && p.top >= TOUR_MARGIN && p.top <= maxTop;
  const side = order.find((s) => fits(candidates[s]));
  if (side) return candidates[side];
  // No room clear of the target: the corner farthest from the target's centre.
  const centreX = target.left + target.width / 2;
  const centreY = target.top + target.height / 2;
  return {
    left: centreX > window.width / 2 ? TOUR_MARGIN : Math.max(TOUR_MARGIN, maxLeft),
    top: centreY > window.height / 2 ? TOUR_MARGIN : Math.max(TOUR_MARGIN, maxTop),
    side: 'over',
  };
}

/** Whether two rectangles share any area (touching edges do not). */
export function overlaps(a: Rect, b: Rect): boolean {
  return a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height;
}
