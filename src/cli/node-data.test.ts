import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSpamBundle } from '../../scripts/build-spam-bundle';
import { labelCounts } from '../engine/data/upload';
import { loadDataDir, loadSource, loadSpamBundle } from './node-data';

// The shared SST-2 copy lives beside the repository; it is read in place, never copied in.
const SST2 = new URL('../../../shared/data/sst2', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'w2s-data-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('loadDataDir', () => {
  it('reads SST-2 train/dev/test.jsonl with its label names', async () => {
    const ds = await loadDataDir(SST2, 1);
    expect(ds.name).toBe('sst2');
    expect(ds.labelNames).toEqual(['negative', 'positive']);
    expect([ds.train.length, ds.dev.length, ds.test.length]).toEqual([6920, 872, 1821]);
  });

  it('cuts missing dev and test from a lone train.csv', async () => {
    const dir = join(tmp, 'csv-only');
    await import('node:fs/promises').then((fs) => fs.mkdir(dir));
    writeFileSync(join(dir, 'train.csv'), 'text,label\n' + Array.from({ length: 40 }, (_, i) => `"t ${i}, x",${i % 2 ? 'b' : 'a'}`).join('\n'));
    const ds = await loadDataDir(dir, 3);
    expect([ds.train.length, ds.dev.length, ds.test.length]).toEqual([32, 4, 4]);
    expect(ds.labelNames).toEqual(['a', 'b']);
  });

  it('names the folder when there is no train file', async () => {
    await expect(loadDataDir(tmp, 1)).rejects.toThrow(/no train file; expected one of train\.jsonl/);
    await expect(loadDataDir(join(tmp, 'nope'), 1)).rejects.toThrow(/not a folder/);
  });

  it('passes on a malformed line with the file and line', async () => {
    const dir = join(tmp, 'bad');
    await import('node:fs/promises').then((fs) => fs.mkdir(dir));
    writeFileSync(join(dir, 'train.jsonl'), '{"text": "a", "label": 0}\n{"text": "b", "label": 1}\n{oops}\n');
    await expect(loadDataDir(dir, 1)).rejects.toThrow(/train\.jsonl line 3: not valid JSON/);
  });
});

describe('spam bundle', () => {
  const out = join(tmp, 'spam.json');

  it('builds a deduplicated, stratified 80/10/10 split, the same every time', () => {
    const first = buildSpamBundle({ outFile: out, force: true });
    expect(first.skipped).toBe(false);
    const bytes = readFileSync(out, 'utf8');
    const bundle = JSON.parse(bytes) as { labelNames: string[]; train: [string, number][]; dev: [string, number][]; test: [string, number][] };
    expect(bundle.labelNames).toEqual(['ham', 'spam']);
    const all = [...bundle.train, ...bundle.dev, ...bundle.test];
    expect(all.length).toBeGreaterThan(5500); // 6046 emails less empties and duplicates
    expect(new Set(all.map((r) => r[0].toLowerCase())).size).toBe(all.length);
    for (const [text] of all) {
      expect(text.length).toBeLessThan(600);
      expect(text).not.toMatch(/https?:\/\/|<\/?(html|p|br|div)\b/i);
    }
    const spamShare = (rows: [string, number][]) => rows.filter((r) => r[1] === 1).length / rows.length;
    expect(Math.abs(spamShare(bundle.test) - spamShare(bundle.train))).toBeLessThan(0.01);
    expect(bundle.dev.length / all.length).toBeCloseTo(0.1, 2);
    expect(first.counts!.train[0] + first.counts!.train[1]).toBe(bundle.train.length);

    // Up to date: skipped. Forced: the identical file.
    expect(buildSpamBundle({ outFile: out }).skipped).toBe(true);
    buildSpamBundle({ outFile: out, force: true });
    expect(readFileSync(out, 'utf8')).toBe(bytes);
  });

  it('loads as a dataset, building the file first when it is missing', async () => {
    const missing = join(tmp, 'fresh', 'spam.json');
    const ds = await loadSpamBundle(missing);
    expect(ds.labelNames).toEqual(['ham', 'spam']);
    expect(labelCounts(ds.test, 2).every((c) => c > 100)).toBe(true);
  });
});

describe('loadSource', () => {
  it('loads the bundled spam set by name', async () => {
    const ds = await loadSource('spam', 1);
    expect(ds.name).toBe('spam');
    expect(ds.train.length).toBeGreaterThan(4000);
  });

  it('loads a folder or a single file by path', async () => {
    expect((await loadSource(SST2, 1)).test).toHaveLength(1821);
    const file = join(tmp, 'one.jsonl');
    writeFileSync(file, Array.from({ length: 20 }, (_, i) => JSON.stringify({ text: `t${i}`, label: i % 2 })).join('\n'));
    const ds = await loadSource(file, 1);
    expect(ds.name).toBe('one');
    expect(ds.train.length + ds.dev.length + ds.test.length).toBe(20);
  });

  it('lists the choices for an unknown source', async () => {
    await expect(loadSource('imdb', 1)).rejects.toThrow(/unknown data source "imdb"; use spam, sst2, cr, ag_news, a folder/);
  });
});
