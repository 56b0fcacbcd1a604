import { describe, expect, it } from 'vitest';
import { DatasetError } from './errors';
import { detectFormat, labelCounts, parseUploadedFile, previewRows } from './upload';

const lines = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('\n');

describe('detectFormat', () => {
  it('goes by extension first, then by content', () => {
    expect(detectFormat('a.jsonl', 'text,label')).toBe('jsonl');
    expect(detectFormat('a.CSV', '{}')).toBe('csv');
    expect(detectFormat('a.tab', '')).toBe('tsv');
    expect(detectFormat('data', '\n{"text": "x", "label": 1}')).toBe('jsonl');
    expect(detectFormat('data.txt', '[{"text": "x"}]')).toBe('json');
    expect(detectFormat('data.txt', 'text\tlabel\nx\t1')).toBe('tsv');
    expect(detectFormat('data.txt', 'text,label\nx,1')).toBe('csv');
  });

  it('explains that Parquet is not read', () => {
    expect(() => detectFormat('train.parquet', '')).toThrow(/parquet files are not read here; save it as JSONL or CSV/);
  });
});

describe('parseUploadedFile', () => {
  it('splits one JSONL file into train/dev/test, the same way for the same seed', () => {
    const content = lines(60, (i) => JSON.stringify({ text: `review ${i}`, label: i % 2, label_text: i % 2 ? 'positive' : 'negative' }));
    const ds = parseUploadedFile('reviews.jsonl', content, 5);
    expect(ds.name).toBe('reviews');
    expect(ds.labelNames).toEqual(['negative', 'positive']);
    expect([ds.train.length, ds.dev.length, ds.test.length]).toEqual([48, 6, 6]);
    expect(parseUploadedFile('reviews.jsonl', content, 5)).toEqual(ds);
  });

  it('reads CSV with string labels and TSV without an extension', () => {
    const csv = 'text,label\n' + lines(30, (i) => `"mail ${i}, with a comma",${i % 3 ? 'ham' : 'spam'}`);
    expect(parseUploadedFile('mails.csv', csv, 1).labelNames).toEqual(['ham', 'spam']);
    const tsv = 'sentence\tlabel\n' + lines(40, (i) => `s ${i}\t${i % 4}`);
    const ds = parseUploadedFile('upload', tsv, 1);
    expect(ds.labelNames).toEqual(['0', '1', '2', '3']);
    expect(labelCounts(ds.test, 4)).toEqual([1, 1, 1, 1]);
  });

  it('reads a JSON array', () => {
    const json = JSON.stringify(Array.from({ length: 20 }, (_, i) => ({ text: `t${i}`, label: i % 2 })));
    expect(parseUploadedFile('set.json', json, 1).train.length).toBe(16);
    expect(() => parseUploadedFile('set.json', '{"text": "x"}', 1)).toThrow(/expected an array.*name the file \.jsonl/);
  });

  it('says so when the file has one class', () => {
    const content = lines(20, (i) => JSON.stringify({ text: `t${i}`, label: 'pos' }));
    expect(() => parseUploadedFile('one.jsonl', content, 1)).toThrow(DatasetError);
    expect(() => parseUploadedFile('one.jsonl', content, 1)).toThrow(/has one label \(pos\); a classifier needs at least two/);
  });

  it('says so when the file is empty or has only a header', () => {
    expect(() => parseUploadedFile('e.csv', 'text,label\n', 1)).toThrow(/e\.csv: no rows found/);
  });

  it('passes on parse errors that name the line', () => {
    expect(() => parseUploadedFile('bad.jsonl', '{"text": "a", "label": 1}\nnope\n', 1)).toThrow(/bad\.jsonl line 2: not valid JSON/);
  });
});

describe('previewRows and labelCounts', () => {
  const ds = parseUploadedFile('p.csv', 'text,label\n' + lines(30, (i) => `t${i},${i % 2 ? 'b' : 'a'}`), 2);

  it('previews the first rows of each split with label names', () => {
    const rows = previewRows(ds, 2);
    expect(rows.map((r) => r.split)).toEqual(['train', 'train', 'dev', 'dev', 'test', 'test']);
    for (const r of rows) expect(r.labelName).toBe(ds.labelNames[r.label]);
  });

  it('counts examples per label', () => {
    expect(labelCounts(ds.train, 2).reduce((a, b) => a + b, 0)).toBe(ds.train.length);
    expect(labelCounts([{ text: 'x', label: 1 }], 3)).toEqual([0, 1, 0]);
  });
});
