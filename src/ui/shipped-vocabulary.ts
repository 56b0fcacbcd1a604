/**
 * The shipped WordPiece vocabulary on the page's main thread, for the setup form's trigger preview:
 * fetched from `checkpoints/` beside the page, as the worker fetches it (the service worker keeps both
 * for offline use), once per page.
 *
 * It reads the manifest itself rather than through `models/checkpoint.ts`, which imports TensorFlow.js
 * (only the worker loads that). No hash check: the preview only shows pieces; the worker checks the
 * file before a run trains on it.
 */
import { WordPieceTokenizer } from '../engine/data/wordpiece';
import type { CheckpointManifest } from '../engine/models/checkpoint';

/** Where the shipped files sit, relative to the page (as in workers/shipped.ts). */
const CHECKPOINT_PATH = 'checkpoints/';
/** `MANIFEST_FILE` of models/checkpoint.ts, repeated so this module does not import TensorFlow.js. */
const MANIFEST_FILE = 'manifest.json';

let loading: Promise<WordPieceTokenizer> | null = null;

/** The shipped vocabulary, loaded on first call; a failed load (offline on a first visit) is retried on the next. */
export function shippedVocabulary(): Promise<WordPieceTokenizer> {
  if (loading) return loading;
  const base = new URL(CHECKPOINT_PATH, new URL(import.meta.env.BASE_URL, window.location.href)).href;
  const promise = load(base);
  loading = promise;
  promise.catch(() => {
    if (loading === promise) loading = null;
  });
  return promise;
}

async function load(base: string): Promise<WordPieceTokenizer> {
  const manifest = (await fetchJson(new URL(MANIFEST_FILE, base).href)) as Partial<CheckpointManifest> | null;
  const file = manifest?.tokenizer?.file;
  if (typeof file !== 'string') throw new Error(`${MANIFEST_FILE} names no tokenizer file`);
  return WordPieceTokenizer.fromJSON(await fetchJson(new URL(file, base).href));
}

async function fetchJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${url} (HTTP ${response.status})`);
  return response.json();
}
