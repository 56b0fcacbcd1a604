/**
 * A file the user drops on the page: detect its format, parse it, split it, check it. One file becomes
 * train/dev/test by a seeded stratified split.
 */
import { datasetFromRows, type RawRow } from './build';
import { parseDelimited } from './delimited';
import { DatasetError } from './errors';
import { parseJsonl, rowFromObject, stripBom } from './jsonl';
import type { Dataset, Example } from './types';
import { validateDataset } from './validate';

type FileFormat = 'jsonl' | 'json' | 'csv' | 'tsv';

/**
 * The format from the extension (`.jsonl`/`.ndjson`, `.json`, `.csv`, `.tsv`/`.tab`), else from the
 * content: a first line that is a JSON object means JSONL, a leading `[` a JSON array, a tab in the header
 * TSV, anything else CSV.
 */
export function detectFormat(fileName: string, content: string): FileFormat {
  const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  if (ext === 'json') return 'json';
  if (ext === 'csv') return 'csv';
  if (ext === 'tsv' || ext === 'tab') return 'tsv';
  if (ext === 'parquet' || ext === 'arrow') {
    throw new DatasetError(`${fileName}: ${ext} files are not read here; save it as JSONL or CSV (pandas: df.to_json(path, orient="records", lines=True))`);
  }
  const body = stripBom(content).trimStart();
  if (body.startsWith('[')) return 'json';
  const firstLine = body.split(/\r?\n/, 1)[0] ?? '';
  if (firstLine.startsWith('{')) return 'jsonl';
  return firstLine.includes('\t') ? 'tsv' : 'csv';
}

/**
 * Parse an uploaded file into a validated dataset named after the file: the whole file is split 80/10/10
 * (stratified, seeded by `seed`). Throws a `DatasetError` that names the file, and the line or column,
 * for anything it cannot use.
 */
export function parseUploadedFile(fileName: string, content: string, seed: number): Dataset {
  const rows = parseRows(fileName, content);
  if (rows.length === 0) throw new DatasetError(`${fileName}: no rows found; the file is empty or only has a header`);
  const name = fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '') || fileName;
  return validateDataset(datasetFromRows(name, { train: rows }, seed));
}

/** Rows of one file in any supported format (see `detectFormat`). */
export function parseRows(fileName: string, content: string): RawRow[] {
  switch (detectFormat(fileName, content)) {
    case 'jsonl':
      return parseJsonl(content, fileName);
    case 'json':
      return parseJsonArray(content, fileName);
    case 'csv':
      return parseDelimited(content, fileName, ',');
    case 'tsv':
      return parseDelimited(content, fileName, '\t');
  }
}

function parseJsonArray(content: string, fileName: string): RawRow[] {
  let value: unknown;
  try {
    value = JSON.parse(stripBom(content));
  } catch (e) {
    throw new DatasetError(`${fileName}: not valid JSON (${(e as Error).message}); a .json file must be an array of {"text", "label"} objects`);
  }
  if (!Array.isArray(value)) {
    throw new DatasetError(`${fileName}: expected an array of {"text", "label"} objects; for one object per line, name the file .jsonl`);
  }
  return value.map((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new DatasetError(`${fileName} item ${i}: expected an object like {"text": "...", "label": 1}`);
    }
    return rowFromObject(item as Record<string, unknown>, `${fileName} item ${i}`);
  });
}

export interface PreviewRow {
  split: 'train' | 'dev' | 'test';
  text: string;
  label: number;
  labelName: string;
}

/** The first `n` examples of each split, with label names, for the upload preview table. */
export function previewRows(dataset: Dataset, n: number): PreviewRow[] {
  return (['train', 'dev', 'test'] as const).flatMap((split) =>
    dataset[split].slice(0, n).map((e) => ({ split, text: e.text, label: e.label, labelName: dataset.labelNames[e.label] ?? String(e.label) })),
  );
}

/** Examples per label: `counts[i]` for label `i`, for `numLabels` labels. */
export function labelCounts(examples: readonly Example[], numLabels: number): number[] {
  const counts = new Array<number>(numLabels).fill(0);
  for (const e of examples) if (e.label >= 0 && e.label < numLabels) counts[e.label]! += 1;
  return counts;
}
