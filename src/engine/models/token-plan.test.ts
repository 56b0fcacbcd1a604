import { describe, expect, it } from 'vitest';
import { planTokens } from './token-plan';

describe('planTokens', () => {
  it('lists distinct ids ascending, where each occurs, in position order', () => {
    const ids = Int32Array.from([7, 0, 3, 7, 0, 0, 9]);
    const p = planTokens(ids);
    expect(Array.from(p.unique)).toEqual([0, 3, 7, 9]);
    expect(Array.from(p.inverse)).toEqual([2, 0, 1, 2, 0, 0, 3]);
    expect(Array.from(p.offsets)).toEqual([0, 3, 4, 6, 7]);
    // id 0 at 1, 4, 5; id 3 at 2; id 7 at 0, 3; id 9 at 6.
    expect(Array.from(p.order)).toEqual([1, 4, 5, 2, 0, 3, 6]);
  });

  it('round-trips: unique[inverse[i]] = ids[i], and every position is listed once under its id', () => {
    let s = 12345;
    const ids = Int32Array.from({ length: 500 }, () => ((s = (s * 1103515245 + 12345) % 2 ** 31), s % 60));
    const p = planTokens(ids);
    ids.forEach((id, i) => expect(p.unique[p.inverse[i]!]).toBe(id));
    expect([...p.order].sort((a, b) => a - b)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    for (let u = 0; u < p.unique.length; u++) {
      const group = Array.from(p.order.subarray(p.offsets[u]!, p.offsets[u + 1]!));
      expect(group.every((pos) => ids[pos] === p.unique[u])).toBe(true);
      expect(group).toEqual([...group].sort((a, b) => a - b));
    }
  });

  it('handles an empty batch and a single repeated id', () => {
    expect(Array.from(planTokens(new Int32Array(0)).offsets)).toEqual([0]);
    const p = planTokens(Int32Array.from([4, 4, 4]));
    expect(Array.from(p.unique)).toEqual([4]);
    expect(Array.from(p.order)).toEqual([0, 1, 2]);
  });
});
