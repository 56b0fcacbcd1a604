import { describe, expect, it } from 'vitest';
import { pca } from './pca';

describe('pca', () => {
  it('finds the direction of largest spread first, then the next', () => {
    // Points spread ±10 along (1, 1, 0)/√2, ±2 along (0, 0, 1), offset by (5, -3, 7).
    const rows: number[][] = [];
    for (const a of [-10, -5, 0, 5, 10]) for (const b of [-2, 2]) rows.push([5 + a / Math.SQRT2, -3 + a / Math.SQRT2, 7 + b]);
    const { components, coords, variances } = pca(rows.flat(), rows.length, 3);
    const first = Array.from(components.slice(0, 3)).map(Math.abs);
    const second = Array.from(components.slice(3, 6)).map(Math.abs);
    expect(first[0]).toBeCloseTo(Math.SQRT1_2, 4);
    expect(first[1]).toBeCloseTo(Math.SQRT1_2, 4);
    expect(first[2]).toBeCloseTo(0, 4);
    expect(second[2]).toBeCloseTo(1, 4);
    expect(variances[0]).toBeGreaterThan(variances[1]!);
    // Coordinates are the centred points on the components: the first spans ±10.
    const xs = rows.map((_, i) => Math.abs(coords[i * 2]!));
    expect(Math.max(...xs)).toBeCloseTo(10, 3);
    const ys = rows.map((_, i) => Math.abs(coords[i * 2 + 1]!));
    expect(Math.max(...ys)).toBeCloseTo(2, 3);
  });

  it('rejects data of the wrong size, and survives identical points', () => {
    expect(() => pca([1, 2, 3], 2, 2)).toThrow(/2 rows × 2 columns/);
    const { coords } = pca([1, 1, 1, 1], 2, 2);
    expect(Array.from(coords)).toEqual([0, 0, 0, 0]);
  });
});
