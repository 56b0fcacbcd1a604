/**
 * Keeps the class-mode box beside the element its step points at (`placeTourBox`), following the page
 * as it scrolls, resizes, or moves under the target while a run fills it in.
 */
import { useLayoutEffect, useState, type RefObject } from 'react';
import { placeTourBox, type Placement, type Side } from './tour-placement';

/** How often the box checks that its target has not moved (chips, charts and tables grow during a run). */
const FOLLOW_MS = 400;

export function useTourPosition(targetId: string | null, step: number, box: RefObject<HTMLElement | null>, prefer: readonly Side[]): Placement | null {
  const [placement, setPlacement] = useState<Placement | null>(null);
  useLayoutEffect(() => {
    if (targetId === null) return;
    let frame = 0;
    const place = () => {
      frame = 0;
      const target = document.querySelector(`[data-testid="${targetId}"]`);
      const el = box.current;
      if (!target || !el) return;
      const { left, top, width, height } = target.getBoundingClientRect();
      const next = placeTourBox({ left, top, width, height }, { width: el.offsetWidth, height: el.offsetHeight }, { width: document.documentElement.clientWidth, height: window.innerHeight }, prefer);
      setPlacement((prev) => (prev && prev.left === next.left && prev.top === next.top && prev.side === next.side ? prev : next));
    };
    const schedule = () => {
      if (frame === 0) frame = requestAnimationFrame(place);
    };
    place();
    // Capture: the Setup column scrolls in a box of its own, whose scroll events do not bubble.
    window.addEventListener('scroll', schedule, true);
    window.addEventListener('resize', schedule);
    const timer = setInterval(schedule, FOLLOW_MS);
    return () => {
      window.removeEventListener('scroll', schedule, true);
      window.removeEventListener('resize', schedule);
      clearInterval(timer);
      cancelAnimationFrame(frame);
    };
  }, [targetId, step, box, prefer]);
  return targetId === null ? null : placement;
}
