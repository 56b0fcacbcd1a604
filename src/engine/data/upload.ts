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
  const split = datasetFromRows(name, { train: rows }, seed);
  if (split.dev.length === 0 || split.test.length === 0) {
    throw new DatasetError(
      `${fileName}: ${rows.length} row${rows.length === 1 ? ' is' : 's are'} too few to cut a dev and a test split from; give at least 3 examples of each class (hundreds give figures worth comparing)`,
    );
  }
  return validateDataset({ ...split, origin: { source: `${fileName} (one file, split 80/10/10)` } });
}

/**
 * The largest file the page accepts. A browser tab holds the file's text, its parsed rows and a copy in
 * the worker at once; 64 MiB of text (about 600 k SST-2 sentences) stays well inside a school laptop's
 * memory, while a bigger file is more data than a browser-sized model can use.
 */
export const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;

/** Throws a `DatasetError` naming the limit when a file of `bytes` is too big to read. */
export function checkUploadSize(fileName: string, bytes: number): void {
  if (bytes > MAX_UPLOAD_BYTES) {
    throw new DatasetError(
      `${fileName} is ${(bytes / 2 ** 20).toFixed(1)} MB; the lab reads files up to ${MAX_UPLOAD_BYTES / 2 ** 20} MB. ` +
        'Keep a sample of the rows (e.g. head -n 50000 file.jsonl > sample.jsonl)',
    );
  }
}

/** Rows of one file in any supported format (see `detectFormat`). */
export function parseRows(fileName: string, content: string): RawRow[] {
  if (stripBom(content).trim() === '') throw new DatasetError(`${fileName} is empty; a dataset file needs a row per example, e.g. ${'{"text": "a fine film", "label": 1}'}`);
  const binary = binaryKind(content);
  if (binary) throw new DatasetError(`${fileName} is not a text file (it looks like ${binary}); save it as CSV (UTF-8) or JSONL and upload that`);
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

/**
 * What a binary file looks like, or undefined for text. Spreadsheets (.xlsx is a zip), archives and
 * images arrive as text full of NULs or of U+FFFD (bytes that are not UTF-8); parsing them would only
 * produce a confusing JSON or column error.
 */
function binaryKind(content: string): string | undefined {
  const head = content.slice(0, 4096);
  if (head.startsWith('PK\u0003\u0004')) return 'a zip archive, such as an Excel .xlsx workbook';
  if (head.startsWith('%PDF')) return 'a PDF';
  if (head.includes('\u0000')) return 'binary data (it holds NUL bytes)';
  const replaced = head.split('\ufffd').length - 1;
  if (replaced > 0 && replaced >= head.length / 20) return 'binary data, or text in an encoding other than UTF-8';
  return undefined;
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
      throw new DatasetError(`${fileName} item ${i + 1}: expected an object like {"text": "...", "label": 1}`);
    }
    return rowFromObject(item as Record<string, unknown>, `${fileName} item ${i + 1}`);
  });
}

/** What the page shows of a parsed file (the run's worker parses the file again, with the run's seed). */
export interface UploadSummary {
  fileName: string;
  labelNames: string[];
  preview: PreviewRow[];
  /** Examples per label over the whole file. */
  counts: number[];
  /** What the parser noticed (labels mapped from names, a tiny file, texts cut). */
  notices: string[];
}

/** Rows per split in the upload preview. */
const PREVIEW_ROWS = 3;

/** Parses `content` as `parseUploadedFile` does and sums it up for the preview; throws the same errors. */
export function summarizeUpload(fileName: string, content: string, seed: number): UploadSummary {
  const dataset = parseUploadedFile(fileName, content, seed);
  const all = [...dataset.train, ...dataset.dev, ...dataset.test];
  return {
    fileName,
    labelNames: dataset.labelNames,
    preview: previewRows(dataset, PREVIEW_ROWS),
    counts: labelCounts(all, dataset.labelNames.length),
    notices: dataset.notices ?? [],
  };
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
