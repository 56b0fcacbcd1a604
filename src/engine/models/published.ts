/**
 * The attacker's published models: as the paper's repository publishes its poisoned weights, the lab
 * ships the quick demo's public task model, its backdoored version and the teacher (plus the adapted
 * language model they start from), made by `scripts/build-published.ts` with the preset's exact config.
 *
 * Each entry is keyed by the very cache key the pipeline computes for its stage, so a run finds it as it
 * finds a cached stage: the same config, data, seed, checkpoint and numerics give the same key. A user
 * who changes anything that made a model (the attack, the seed, the data) gets another key and trains it
 * live; an engine change that alters a key makes the entry stale, which `tests/published.test.ts` catches.
 *
 * Files sit beside the shipped checkpoints (`published.json` + fp16 `.bin`s, read through the same
 * `readFile`), each checked against its SHA-256 before use.
 */
import type { StageName, StageResult } from '../events';
import type { SavedWeights } from '../cache';
import { CheckpointError, decodeWeights, sha256Hex, type TensorEntry } from './checkpoint';

export const PUBLISHED_FILE = 'published.json';
export const PUBLISHED_FORMAT = 1;

export interface PublishedEntry {
  /** The pipeline's cache key for the stage that made the model. */
  key: string;
  stage: StageName;
  file: string;
  sha256: string;
  tensors: TensorEntry[];
  /** The stage's result as measured when the model was trained (replayed into charts and tables). */
  result: StageResult;
}

export interface PublishedManifest {
  format: number;
  createdBy: string;
  /** The preset and seed the models were made with: what a run must use to find them. */
  preset: string;
  seed: number;
  entries: PublishedEntry[];
}

export interface PublishedModels {
  manifest: PublishedManifest;
  /** The stage's model and result for `key`, or undefined when none was published under it. */
  load(key: string): Promise<{ weights: SavedWeights; result: StageResult; entry: PublishedEntry } | undefined>;
}

/** Opens `published.json`; null when there is none (a build without published models). */
export async function openPublished(readFile: (name: string) => Promise<Uint8Array>): Promise<PublishedModels | null> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(PUBLISHED_FILE);
  } catch {
    return null;
  }
  const manifest = parsePublished(JSON.parse(new TextDecoder().decode(bytes)) as unknown);
  return {
    manifest,
    async load(key) {
      const entry = manifest.entries.find((e) => e.key === key);
      if (!entry) return undefined;
      const file = await readFile(entry.file);
      const got = await sha256Hex(file);
      if (got !== entry.sha256) throw new CheckpointError(`${entry.file}: SHA-256 ${got.slice(0, 12)}… does not match ${PUBLISHED_FILE}; rebuild with \`npm run build:published\``);
      return { weights: decodeWeights(file, entry.tensors), result: entry.result, entry };
    },
  };
}

function parsePublished(json: unknown): PublishedManifest {
  const m = json as Partial<PublishedManifest> | null;
  const ok =
    !!m &&
    m.format === PUBLISHED_FORMAT &&
    typeof m.preset === 'string' &&
    Number.isInteger(m.seed) &&
    Array.isArray(m.entries) &&
    m.entries.every((e) => typeof e?.key === 'string' && typeof e.file === 'string' && typeof e.sha256 === 'string' && Array.isArray(e.tensors) && !!e.result);
  if (!ok) throw new CheckpointError(`${PUBLISHED_FILE}: expected format ${PUBLISHED_FORMAT} with a preset, a seed and entries {key, file, sha256, tensors, result}`);
  return m as PublishedManifest;
}
