/**
 * Loads the data a run asks for, inside the worker: the bundled spam corpus (served next to the page),
 * a SetFit set from Hugging Face, or an uploaded file's text. Every failure is a `DatasetError` whose
 * message says what to do.
 */
import { BUNDLED_SPAM_PATH, parseSpamBundle } from '../src/engine/data/bundled';
import { DatasetError } from '../src/engine/data/errors';
import type { Dataset } from '../src/engine/data/types';
import { parseUploadedFile } from '../src/engine/data/upload';
import { loadSetFit } from '../src/engine/data/url';
import type { DatasetSpec } from './protocol';

interface LoadContext {
  /** The page's base URL: the worker's own URL points into `assets/`, not where `data/` is served. */
  baseUrl: string;
  seed: number;
  signal: AbortSignal;
  fetch?: typeof fetch;
}

export async function loadDataset(spec: DatasetSpec, ctx: LoadContext): Promise<Dataset> {
  switch (spec.kind) {
    case 'bundled':
      return loadBundled(ctx);
    case 'setfit':
      return loadSetFit(spec.name, { signal: ctx.signal, seed: ctx.seed, ...(ctx.fetch ? { fetch: ctx.fetch } : {}) });
    case 'upload':
      return parseUploadedFile(spec.fileName, new TextDecoder().decode(spec.bytes), ctx.seed);
  }
}

async function loadBundled(ctx: LoadContext): Promise<Dataset> {
  const url = new URL(BUNDLED_SPAM_PATH, ctx.baseUrl).href;
  const response = await (ctx.fetch ?? fetch)(url, { signal: ctx.signal });
  if (!response.ok) {
    throw new DatasetError(`could not load the bundled dataset from ${url} (HTTP ${response.status}); build it with \`npm run prepare-data\``);
  }
  return parseSpamBundle(await response.json());
}
