import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { datasetFromRows, stratifiedSplit, stratifiedSubset, type RawRow } from './build';
import type { Example } from './types';

const rows = (labels: (string | number)[], labelText?: (l: string | number) => string): RawRow[] =>
  labels.map((label, i) => ({ text: `text ${i}`, label, ...(labelText ? { labelText: labelText(label) } : {}) }));

const counts = (xs: readonly Example[], k: number) => {
  const c = new Array<number>(k).fill(0);
  for (const e of xs) c[e.label]! += 1;
  return c;
};

describe('datasetFromRows', () => {
  it('keeps numeric order for numeric labels (2 before 10) and names them by labelText', () => {
    const labels = [10, 2, 9, 8, 7, 6, 5, 4, 3, 1, 0];
    const train = rows(labels, (l) => (l === 2 ? 'two' : l === 10 ? 'ten' : `n${l}`));
    const ds = datasetFromRows('n', { train, dev: train, test: train }, 1);
    expect(ds.labelNames[2]).toBe('two');
    expect(ds.labelNames[10]).toBe('ten');
    expect(ds.train.map((e) => e.label)).toEqual(labels);
  });

  it('treats "1" (CSV) and 1 as one label, and integer strings numerically', () => {
    const ds = datasetFromRows('n', { train: rows(['1', '0', 1, 0]), dev: rows([0]), test: rows(['1']) }, 1);
    expect(ds.labelNames).toEqual(['0', '1']);
    expect(ds.train.map((e) => e.label)).toEqual([1, 0, 1, 0]);
    expect(ds.test[0]!.label).toBe(1);
    expect(ds.notices).toBeUndefined();
  });

  it('sorts string labels by name', () => {
    const ds = datasetFromRows('s', { train: rows(['spam', 'ham', 'eggs']), dev: rows(['ham']), test: rows(['eggs']) }, 1);
    expect(ds.labelNames).toEqual(['eggs', 'ham', 'spam']);
    expect(ds.train.map((e) => e.label)).toEqual([2, 1, 0]);
  });

  it('maps labels seen only in dev/test too, with the same mapping in every split', () => {
    const ds = datasetFromRows('x', { train: rows([0, 1]), dev: rows([1]), test: rows([2]) }, 1);
    expect(ds.labelNames).toEqual(['0', '1', '2']);
    expect(ds.test[0]!.label).toBe(2);
  });

  it('cuts dev and test 80/10/10 from train, stratified and seeded', () => {
    const labels = Array.from({ length: 400 }, (_, i) => (i % 4 === 0 ? 1 : 0)); // 100 positives, 300 negatives
    const a = datasetFromRows('x', { train: rows(labels) }, 7);
    expect([a.train.length, a.dev.length, a.test.length]).toEqual([320, 40, 40]);
    expect(counts(a.dev, 2)).toEqual([30, 10]);
    expect(counts(a.test, 2)).toEqual([30, 10]);
    // No example lands in two splits.
    const texts = [...a.train, ...a.dev, ...a.test].map((e) => e.text);
    expect(new Set(texts).size).toBe(400);
    const b = datasetFromRows('x', { train: rows(labels) }, 7);
    expect(b).toEqual(a);
    const c = datasetFromRows('x', { train: rows(labels) }, 8);
    expect(c.test.map((e) => e.text)).not.toEqual(a.test.map((e) => e.text));
  });

  it('cuts only dev when test is given, and keeps the given test as it is', () => {
    const test = rows([0, 1, 1]);
    const ds = datasetFromRows('x', { train: rows(Array.from({ length: 100 }, (_, i) => i % 2)), test }, 3);
    expect(ds.test.map((e) => e.text)).toEqual(test.map((r) => r.text));
    expect([ds.train.length, ds.dev.length]).toEqual([90, 10]);
  });

  it('works for four classes (AG News)', () => {
    const ds = datasetFromRows('ag', { train: rows(Array.from({ length: 200 }, (_, i) => i % 4), (l) => ['World', 'Sports', 'Business', 'Sci/Tech'][l as number]!) }, 1);
    expect(ds.labelNames).toEqual(['World', 'Sports', 'Business', 'Sci/Tech']);
    expect(counts(ds.dev, 4)).toEqual([5, 5, 5, 5]);
    expect(counts(ds.train, 4)).toEqual([40, 40, 40, 40]);
  });
});

describe('stratifiedSplit', () => {
  const ex = (labels: number[]): Example[] => labels.map((label, i) => ({ text: `t${i}`, label }));

  it('gives a small class one example in each later part and never empties train', () => {
    const [train, dev, test] = stratifiedSplit(ex([0, 0, 0, 1, 1, 1, 0, 0, 0, 0]), [0.8, 0.1, 0.1], new Rng(1));
    expect(counts(dev!, 2)).toEqual([1, 1]);
    expect(counts(test!, 2)).toEqual([1, 1]);
    expect(counts(train!, 2)).toEqual([5, 1]);
  });

  it('keeps a class of one example in train', () => {
    const [train, dev, test] = stratifiedSplit(ex([1, 0, 0, 0, 0]), [0.8, 0.1, 0.1], new Rng(1));
    expect(counts(train!, 2)[1]).toBe(1);
    expect(dev!.length + test!.length + train!.length).toBe(5);
  });

  it('rejects bad fractions', () => {
    expect(() => stratifiedSplit(ex([0, 1]), [], new Rng(1))).toThrow(/fractions/);
    expect(() => stratifiedSplit(ex([0, 1]), [0.5, -0.5], new Rng(1))).toThrow(/fractions/);
  });
});

describe('stratifiedSubset', () => {
  const ex: Example[] = Array.from({ length: 1000 }, (_, i) => ({ text: `t${i}`, label: i % 10 === 0 ? 1 : i % 10 < 4 ? 2 : 0 }));

  it('keeps label proportions and the original order', () => {
    const sub = stratifiedSubset(ex, 100, new Rng(3));
    expect(sub).toHaveLength(100);
    expect(counts(sub, 3)).toEqual([60, 10, 30]);
    const idx = sub.map((e) => Number(e.text.slice(1)));
    expect(idx).toEqual([...idx].sort((a, b) => a - b));
  });

  it('returns everything for n = 0 or n ≥ size', () => {
    expect(stratifiedSubset(ex, 0, new Rng(1))).toEqual(ex);
    expect(stratifiedSubset(ex, 5000, new Rng(1))).toHaveLength(1000);
  });

  it('keeps every class when n allows, even a rare one', () => {
    const skewed: Example[] = Array.from({ length: 101 }, (_, i) => ({ text: `t${i}`, label: i === 0 ? 1 : 0 }));
    expect(counts(stratifiedSubset(skewed, 5, new Rng(1)), 2)).toEqual([4, 1]);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const a = stratifiedSubset(ex, 50, new Rng(9));
    expect(stratifiedSubset(ex, 50, new Rng(9))).toEqual(a);
    expect(stratifiedSubset(ex, 50, new Rng(10))).not.toEqual(a);
  });

  it('rejects a negative or fractional n', () => {
    expect(() => stratifiedSubset(ex, -1, new Rng(1))).toThrow(/integer ≥ 0/);
    expect(() => stratifiedSubset(ex, 1.5, new Rng(1))).toThrow(/integer ≥ 0/);
  });
});
