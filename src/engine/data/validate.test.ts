import { describe, expect, it } from 'vitest';
import { DatasetError } from './errors';
import type { Dataset } from './types';
import { validateDataset } from './validate';

const good = (): Dataset => ({
  name: 'toy',
  labelNames: ['neg', 'pos'],
  train: [
    { text: 'bad', label: 0 },
    { text: 'good', label: 1 },
  ],
  dev: [{ text: 'fine', label: 1 }],
  test: [{ text: 'awful', label: 0 }],
});

describe('validateDataset', () => {
  it('returns a good dataset with its examples unchanged, and says when it is too small to measure much', () => {
    const ds = good();
    const checked = validateDataset(ds);
    expect(checked.train).toBe(ds.train);
    expect(checked.notices?.[0]).toMatch(/"toy" is very small: 2 training examples \(neg: 1, pos: 1\)/);
    expect(checked.notices?.slice(1)).toEqual(['the dev split has 1 example, so each one moves CA by 100 points', 'the test split has 1 example, so each one moves CA by 100 points']);
    // Idempotent: the pipeline validates again and must not repeat the warnings.
    expect(validateDataset(checked).notices).toEqual(checked.notices);
  });

  it('rejects a training split with one class, naming it', () => {
    const ds = good();
    ds.train = [{ text: 'good', label: 1 }];
    expect(() => validateDataset(ds)).toThrow(DatasetError);
    expect(() => validateDataset(ds)).toThrow('dataset "toy" has one class (pos) in its training split; a classifier needs at least two');
  });

  it('rejects a single label name', () => {
    expect(() => validateDataset({ ...good(), labelNames: ['only'] })).toThrow(/has one label \(only\); a classifier needs at least two/);
  });

  it('rejects an empty split', () => {
    expect(() => validateDataset({ ...good(), dev: [] })).toThrow(/the dev split is empty/);
  });

  it('rejects labels out of range and non-integer labels', () => {
    expect(() => validateDataset({ ...good(), test: [{ text: 'x', label: 2 }] })).toThrow(/test\[0\] has label 2, outside 0\.\.1 \(labels: neg, pos\)/);
    expect(() => validateDataset({ ...good(), test: [{ text: 'x', label: 0.5 }] })).toThrow(/label 0\.5/);
  });

  it('rejects an empty text', () => {
    expect(() => validateDataset({ ...good(), train: [...good().train, { text: '  ', label: 0 }] })).toThrow(/train\[2\] has an empty text/);
  });
});
