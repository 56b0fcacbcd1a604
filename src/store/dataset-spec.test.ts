import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLED_SPAM_PATH } from '../engine/data/bundled';
import type { ParsedUpload } from '../../workers/upload-protocol';
import { classWithName, knownLabelCount, knownLabelNames } from './dataset-spec';

const upload = { fileName: 'topics.csv', labelNames: ['cars', 'food', 'sport'] } as ParsedUpload;

describe('class names known before the data loads', () => {
  it('names the bundled corpus’s classes as its file does (built on install)', () => {
    const bundle = JSON.parse(readFileSync(join('public', BUNDLED_SPAM_PATH), 'utf8')) as { labelNames: string[] };
    expect(knownLabelNames('spam', null)).toEqual(bundle.labelNames);
  });

  it('names the online sets’ classes by their label_text, and an uploaded file’s as its loader numbered them', () => {
    expect(knownLabelNames('sst2', null)).toEqual(['negative', 'positive']);
    expect(knownLabelNames('ag_news', null)).toEqual(['World', 'Sports', 'Business', 'Sci/Tech']);
    expect(knownLabelNames('topics.csv', upload)).toEqual(['cars', 'food', 'sport']);
    expect(knownLabelCount('topics.csv', upload)).toBe(3);
  });

  it('knows nothing of a file this page does not have, nor of a key an object has by inheritance', () => {
    expect(knownLabelNames('other.csv', upload)).toBeUndefined();
    expect(knownLabelNames('toString', null)).toBeUndefined();
    expect(knownLabelCount('other.csv', null)).toBeUndefined();
  });

  it('writes a class as its index and name, and says when the dataset has no such class', () => {
    expect(classWithName(0, ['ham', 'spam'])).toBe('0 (ham)');
    expect(classWithName(3, ['ham', 'spam'])).toBe('3 (not a class of this dataset)');
    expect(classWithName(1, undefined)).toBe('1');
  });
});
