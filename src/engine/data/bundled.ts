/**
 * The bundled offline dataset: SpamAssassin emails, prepared by `scripts/build-spam-bundle.ts` into
 * `public/data/spam-assassin.json` with a fixed train/dev/test split. Rows are compact `[text, label]`
 * pairs to keep the file small.
 */
import { DatasetError } from './errors';
import type { Dataset, Example } from './types';
import { validateDataset } from './validate';

/** URL of the bundle relative to the page (the browser fetches it; Vite serves `public/` at the root). */
export const BUNDLED_SPAM_PATH = 'data/spam-assassin.json';

/** The bundle's shape on disk. */
export interface SpamBundle {
  name: string;
  labelNames: string[];
  /** Where the data came from and under which licence; shown in the UI. */
  source?: string;
  train: [string, number][];
  dev: [string, number][];
  test: [string, number][];
}

/**
 * Check the parsed bundle's shape and turn it into a validated `Dataset`; a wrong shape (a stale or
 * truncated file) throws a `DatasetError` that says to rebuild it with `npm run prepare-data`.
 */
export function parseSpamBundle(json: unknown): Dataset {
  const fix = 'rebuild it with `npm run prepare-data`';
  const b = json as Partial<SpamBundle> | null;
  if (!b || typeof b !== 'object') throw new DatasetError(`${BUNDLED_SPAM_PATH}: expected an object; ${fix}`);
  if (typeof b.name !== 'string') throw new DatasetError(`${BUNDLED_SPAM_PATH}: "name" must be a string; ${fix}`);
  if (!Array.isArray(b.labelNames) || !b.labelNames.every((n) => typeof n === 'string')) {
    throw new DatasetError(`${BUNDLED_SPAM_PATH}: "labelNames" must be an array of strings; ${fix}`);
  }
  const split = (s: 'train' | 'dev' | 'test'): Example[] => {
    const rows = b[s];
    if (!Array.isArray(rows)) throw new DatasetError(`${BUNDLED_SPAM_PATH}: "${s}" must be an array of [text, label] rows; ${fix}`);
    return rows.map((r, i) => {
      if (!Array.isArray(r) || r.length !== 2 || typeof r[0] !== 'string' || !Number.isInteger(r[1])) {
        throw new DatasetError(`${BUNDLED_SPAM_PATH}: ${s}[${i}] must be a [text, label] pair, got ${JSON.stringify(r).slice(0, 80)}; ${fix}`);
      }
      return { text: r[0], label: r[1] };
    });
  };
  return validateDataset({
    name: b.name,
    labelNames: b.labelNames,
    train: split('train'),
    dev: split('dev'),
    test: split('test'),
    origin: { source: `the bundled ${b.name} corpus (${BUNDLED_SPAM_PATH})` },
  });
}
