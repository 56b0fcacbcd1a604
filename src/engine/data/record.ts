/**
 * What a run actually read, for `results.json`: the source a person can find again, the split sizes,
 * the loader's notices, and a hash of the examples themselves, so two results can be told apart when
 * they came from different data even if the config says the same `data.source`.
 */
import { hashString } from '../hash';
import type { Dataset, DatasetOrigin } from './types';

export interface DataRecord {
  /** Where the examples came from (the loader's `origin.source`, or the dataset's name). */
  source: string;
  name: string;
  labelNames: string[];
  examples: { train: number; dev: number; test: number };
  /**
   * `sha256:<hex>` of the examples as the run received them (labels mapped, splits cut), or
   * `fnv1a32:<hex>` where the page has no Web Crypto (a plain-http address that is not localhost).
   */
  contentHash: string;
  /** The files read, each with its own SHA-256 (Node runs). */
  files?: DatasetOrigin['files'];
  notices?: string[];
}

export async function dataRecord(ds: Dataset): Promise<DataRecord> {
  return {
    source: ds.origin?.source ?? ds.name,
    name: ds.name,
    labelNames: [...ds.labelNames],
    examples: { train: ds.train.length, dev: ds.dev.length, test: ds.test.length },
    contentHash: await contentHash(ds),
    ...(ds.origin?.files ? { files: ds.origin.files } : {}),
    ...(ds.notices?.length ? { notices: [...ds.notices] } : {}),
  };
}

/** The hash of the examples: labels and texts of every split, in order, with the label names. */
async function contentHash(ds: Dataset): Promise<string> {
  const canonical = JSON.stringify([ds.labelNames, ...(['train', 'dev', 'test'] as const).map((s) => ds[s].map((e) => [e.label, e.text]))]);
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return `fnv1a32:${hashString(canonical)}`;
  const digest = await subtle.digest('SHA-256', new TextEncoder().encode(canonical));
  return `sha256:${[...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}
