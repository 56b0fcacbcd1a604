/**
 * Datasets from Node: the bundled spam corpus on disk, a folder of split files, the SetFit datasets over
 * the network, or a single file, all through the same parsers and checks as the browser.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { buildSpamBundle, SPAM_BUNDLE_FILE } from '../../scripts/build-spam-bundle';
import { datasetFromRows, type RawRow } from '../engine/data/build';
import { parseSpamBundle } from '../engine/data/bundled';
import { DatasetError } from '../engine/data/errors';
import type { Dataset, DatasetOrigin } from '../engine/data/types';
import { parseRows, parseUploadedFile } from '../engine/data/upload';
import { isSetFitName, loadSetFit, SETFIT_SOURCES } from '../engine/data/url';
import { validateDataset } from '../engine/data/validate';

/** File names tried for each split, in order: SetFit's JSONL first, then CSV and TSV. */
export const SPLIT_FILES: Record<'train' | 'dev' | 'test', string[]> = {
  train: ['train.jsonl', 'train.csv', 'train.tsv'],
  dev: ['dev.jsonl', 'validation.jsonl', 'dev.csv', 'validation.csv', 'dev.tsv', 'validation.tsv'],
  test: ['test.jsonl', 'test.csv', 'test.tsv'],
};

/**
 * A dataset from a folder holding `train.jsonl` and optionally `dev.jsonl` (or `validation.jsonl`) and
 * `test.jsonl` (CSV/TSV work too); a missing dev or test split is cut from train, seeded by `seed`.
 */
export async function loadDataDir(dir: string, seed: number): Promise<Dataset> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DatasetError(`${dir}: not a folder; give a folder with train.jsonl (and dev.jsonl, test.jsonl)`);
  }
  const files: FileRecord[] = [];
  const read = async (split: keyof typeof SPLIT_FILES): Promise<RawRow[] | undefined> => {
    // isFile: a folder that happens to be called train.jsonl is not the train split.
    const file = SPLIT_FILES[split].map((f) => join(dir, f)).find((f) => existsSync(f) && statSync(f).isFile());
    if (!file) return undefined;
    const { text, record } = await readRecorded(file);
    files.push(record);
    return parseRows(file, text);
  };
  const [train, dev, test] = await Promise.all([read('train'), read('dev'), read('test')]);
  if (!train) throw new DatasetError(`${dir}: no train file; expected one of ${SPLIT_FILES.train.join(', ')}`);
  const name = basename(resolve(dir));
  const ds = datasetFromRows(name, { train, ...(dev ? { dev } : {}), ...(test ? { test } : {}) }, seed);
  files.sort((a, b) => (a.path < b.path ? -1 : 1));
  return validateDataset({ ...ds, origin: { source: resolve(dir), files } });
}

type FileRecord = NonNullable<DatasetOrigin['files']>[number];

/** A file's text with its size and SHA-256, so results.json names exactly what was read. */
async function readRecorded(path: string): Promise<{ text: string; record: FileRecord }> {
  const bytes = await readFile(path);
  return {
    text: bytes.toString('utf8'),
    record: { path: resolve(path), bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
  };
}

/**
 * A dataset by name or path: `spam` (the bundled corpus, built first if missing), `sst2` / `cr` / `ag_news`
 * (fetched from Hugging Face), a folder (see `loadDataDir`) or one JSONL/CSV/TSV file (split 80/10/10).
 */
export async function loadSource(source: string, seed: number): Promise<Dataset> {
  if (source === 'spam') return loadSpamBundle();
  if (isSetFitName(source)) return loadSetFit(source, { seed });
  if (existsSync(source)) {
    if (statSync(source).isDirectory()) return loadDataDir(source, seed);
    const { text, record } = await readRecorded(source);
    const ds = parseUploadedFile(source, text, seed);
    return { ...ds, origin: { source: record.path, files: [record] } };
  }
  throw new DatasetError(
    `unknown data source "${source}"; use spam, ${Object.keys(SETFIT_SOURCES).join(', ')}, a folder with train.jsonl, or a JSONL/CSV/TSV file`,
  );
}

/** The bundled spam corpus from `public/data/`, built on the spot the first time. */
export async function loadSpamBundle(file = SPAM_BUNDLE_FILE): Promise<Dataset> {
  if (!existsSync(file)) buildSpamBundle({ outFile: file });
  const { text, record } = await readRecorded(file);
  const ds = parseSpamBundle(JSON.parse(text));
  return { ...ds, origin: { source: `${ds.origin?.source ?? ds.name}, read from ${record.path}`, files: [record] } };
}
