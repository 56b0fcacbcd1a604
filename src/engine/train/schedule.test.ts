import { describe, expect, it } from 'vitest';
import { lrAt } from './schedule';

describe('lrAt: linear warm-up, then linear decay to 0', () => {
  const cfg = { lr: 1e-3, warmupRatio: 0.1 }; // 100 steps: 10 warm-up, 90 decay

  it('step 0 of a warm-up is 0; halfway up is half', () => {
    expect(lrAt(0, 100, cfg)).toBe(0);
    expect(lrAt(5, 100, cfg)).toBeCloseTo(5e-4, 12);
  });

  it('peaks at the end of warm-up, then decays linearly', () => {
    expect(lrAt(10, 100, cfg)).toBeCloseTo(1e-3, 12);
    expect(lrAt(55, 100, cfg)).toBeCloseTo(5e-4, 12);
    expect(lrAt(99, 100, cfg)).toBeCloseTo(1e-3 / 90, 12);
  });

  it('is 0 at the end and past it', () => {
    expect(lrAt(100, 100, cfg)).toBe(0);
    expect(lrAt(150, 100, cfg)).toBe(0);
  });

  it('without warm-up starts at the peak; warm-up steps round up (HF)', () => {
    expect(lrAt(0, 100, { lr: 1e-3, warmupRatio: 0 })).toBe(1e-3);
    expect(lrAt(1, 10, { lr: 1, warmupRatio: 0.15 })).toBeCloseTo(0.5, 12); // ceil(1.5) = 2 warm-up steps
  });
});
