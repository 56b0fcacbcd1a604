import { describe, expect, it } from 'vitest';
import { BUNDLED_SPAM_PATH, parseSpamBundle } from './bundled';
import { DatasetError } from './errors';

const bundle = () => ({
  name: 'spam',
  labelNames: ['ham', 'spam'],
  train: [
    ['meeting at noon', 0],
    ['win money now', 1],
  ],
  dev: [['lunch?', 0]],
  test: [['free pills', 1]],
});

describe('parseSpamBundle', () => {
  it('turns compact rows into a dataset', () => {
    const ds = parseSpamBundle(bundle());
    expect(ds.labelNames).toEqual(['ham', 'spam']);
    expect(ds.train[1]).toEqual({ text: 'win money now', label: 1 });
    expect(BUNDLED_SPAM_PATH).toBe('data/spam-assassin.json');
  });

  it('rejects a wrong shape and says how to rebuild', () => {
    expect(() => parseSpamBundle(null)).toThrow(DatasetError);
    expect(() => parseSpamBundle({ ...bundle(), dev: undefined })).toThrow(/"dev" must be an array.*npm run prepare-data/);
    expect(() => parseSpamBundle({ ...bundle(), test: [['x', 'spam']] })).toThrow(/test\[0\] must be a \[text, label\] pair/);
    expect(() => parseSpamBundle({ ...bundle(), labelNames: 'ham,spam' })).toThrow(/labelNames/);
  });

  it('validates the content too', () => {
    expect(() => parseSpamBundle({ ...bundle(), test: [['x', 2]] })).toThrow(/label 2, outside 0\.\.1/);
  });
});
