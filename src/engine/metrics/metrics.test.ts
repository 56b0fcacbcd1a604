import { describe, expect, it } from 'vitest';
import { accuracy, argmaxRows, attackSuccessRate, formatPct, meanStd, MetricError } from './metrics';

describe('accuracy', () => {
  it('is the share of matching predictions, for any array-like', () => {
    expect(accuracy([1, 0, 1, 1], [1, 1, 1, 0])).toBe(0.5);
    expect(accuracy(new Int32Array([2, 3, 0]), [2, 3, 0])).toBe(1);
    expect(accuracy(Int32Array.from([0, 0, 0, 0, 0]), Float32Array.from([1, 1, 1, 1, 0]))).toBeCloseTo(0.2, 12);
  });

  it('rejects empty input and a length mismatch', () => {
    expect(() => accuracy([], [])).toThrow(MetricError);
    expect(() => accuracy([], [])).toThrow(/empty/);
    expect(() => accuracy([1, 0], [1])).toThrow(/2 predictions for 1 labels/);
  });
});

describe('attackSuccessRate', () => {
  it('is the share predicted as the target', () => {
    expect(attackSuccessRate([1, 1, 0, 1], 1)).toBe(0.75);
    expect(attackSuccessRate(new Int32Array([3, 2, 3, 0, 1]), 3)).toBeCloseTo(0.4, 12);
    expect(attackSuccessRate([0, 0], 1)).toBe(0);
  });

  it('rejects an empty triggered set', () => {
    expect(() => attackSuccessRate([], 1)).toThrow(/no triggered samples/);
  });
});

describe('argmaxRows', () => {
  it('picks the largest logit per row, first on ties', () => {
    const logits = Float32Array.from([0.1, 2, -1, /**/ 5, 5, 0, /**/ -3, -2, -1, /**/ 0, 0, 0]);
    expect(Array.from(argmaxRows(logits, 3))).toEqual([1, 0, 2, 0]);
    expect(argmaxRows(new Float32Array(0), 2)).toHaveLength(0);
  });

  it('rejects a shape that does not fit', () => {
    expect(() => argmaxRows(new Float32Array(5), 2)).toThrow(/5 logits do not split into rows of 2/);
    expect(() => argmaxRows(new Float32Array(4), 0)).toThrow(/numClasses/);
  });

  it('feeds accuracy end to end', () => {
    const logits = Float32Array.from([2, 1, 0, 3, 4, -1]);
    expect(accuracy(argmaxRows(logits, 2), [0, 1, 1])).toBeCloseTo(2 / 3, 12);
  });
});

describe('meanStd', () => {
  it('uses the sample standard deviation', () => {
    const { mean, sd } = meanStd([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(mean).toBe(5);
    expect(sd).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(meanStd([0.8, 0.9])).toEqual({ mean: expect.closeTo(0.85, 12), sd: expect.closeTo(Math.SQRT1_2 * 0.1, 12) });
  });

  it('gives sd 0 for one value and rejects none', () => {
    expect(meanStd([0.42])).toEqual({ mean: 0.42, sd: 0 });
    expect(() => meanStd([])).toThrow(MetricError);
  });
});

describe('formatPct', () => {
  it('writes one decimal and a spaced percent sign', () => {
    expect(formatPct(0.8123)).toBe('81.2 %');
    expect(formatPct(1)).toBe('100.0 %');
    expect(formatPct(0)).toBe('0.0 %');
    expect(formatPct(0.00049)).toBe('0.0 %');
    expect(formatPct(Number.NaN)).toBe('– %');
  });
});
