/**
 * Online datasets: Hugging Face's SetFit JSONL files (`{repo}/resolve/main/{split}.jsonl`). `fetch` is a
 * parameter so the engine stays free of any one runtime, and tests serve the same layout locally.
 */
import { datasetFromRows, type RawRow } from './build';
import { DatasetError } from './errors';
import { parseJsonl } from './jsonl';
import type { Dataset } from './types';
import { validateDataset } from './validate';

export type SetFitName = 'sst2' | 'cr' | 'ag_news';

export const SETFIT_SOURCES: Record<SetFitName, { repo: string; title: string }> = {
  sst2: { repo: 'SetFit/sst2', title: 'SST-2 (movie review sentiment, 2 classes)' },
  cr: { repo: 'SetFit/SentEval-CR', title: 'CR (customer review sentiment, 2 classes)' },
  ag_news: { repo: 'SetFit/ag_news', title: 'AG News (news topics, 4 classes)' },
};

const HF_DATASETS_URL = 'https://huggingface.co/datasets';

export function isSetFitName(name: string): name is SetFitName {
  return Object.prototype.hasOwnProperty.call(SETFIT_SOURCES, name);
}

/** URL of one split's JSONL file in a Hugging Face dataset repo. */
export function setfitUrl(repo: string, split: string, baseUrl = HF_DATASETS_URL): string {
  return `${baseUrl.replace(/\/+$/, '')}/${repo}/resolve/main/${split}.jsonl`;
}

interface LoadOptions {
  /** Where the repos live; tests point it at a local server. */
  baseUrl?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Seeds the split of train into dev when the repo has no dev file. */
  seed?: number;
}

/**
 * Fetch a SetFit dataset: `train.jsonl` and `test.jsonl` (required: a failure is a `DatasetError` with the
 * URL and the HTTP status), and dev from `validation.jsonl`, else `dev.jsonl`, else cut from train.
 */
export async function loadSetFit(name: SetFitName, opts: LoadOptions = {}): Promise<Dataset> {
  if (!isSetFitName(name)) {
    throw new DatasetError(`unknown online dataset "${name}"; choose one of ${Object.keys(SETFIT_SOURCES).join(', ')}`);
  }
  const { repo } = SETFIT_SOURCES[name];
  const get = (split: string) => fetchText(setfitUrl(repo, split, opts.baseUrl), opts);
  const [train, test, dev] = await Promise.all([
    get('train').then((t) => required(t, 'train')),
    get('test').then((t) => required(t, 'test')),
    // The dev file is optional: SST-2 calls it validation, others have none.
    get('validation').then((t) => (t.ok ? t : get('dev'))),
  ]);
  const rows = (r: Fetched & { ok: true }, split: string): RawRow[] => parseJsonl(r.text, `${repo}/${split}.jsonl`);
  const ds = datasetFromRows(
    name,
    {
      train: rows(train, 'train'),
      test: rows(test, 'test'),
      ...(dev.ok ? { dev: parseJsonl(dev.text, dev.url) } : {}),
    },
    opts.seed ?? 0,
  );
  return validateDataset({ ...ds, origin: { source: [train.url, test.url, ...(dev.ok ? [dev.url] : [])].join(' ') } });
}

type Fetched = { ok: true; text: string; url: string } | { ok: false; status: number; url: string };

/** The body of `url`; a 404 is an answer (`ok: false`), any other failure throws. */
async function fetchText(url: string, opts: LoadOptions): Promise<Fetched> {
  const f = opts.fetch ?? globalThis.fetch;
  let res: Response;
  try {
    res = await f(url, opts.signal ? { signal: opts.signal } : {});
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new DatasetError(`could not fetch ${url} (${(e as Error).message}); are you online? The bundled spam dataset works offline`);
  }
  if (res.status === 404) return { ok: false, status: 404, url };
  if (!res.ok) throw new DatasetError(`fetching ${url} failed with HTTP ${res.status} ${res.statusText}; try again later or upload the file`);
  return { ok: true, text: await res.text(), url };
}

function required(r: Fetched, split: string): Fetched & { ok: true } {
  if (!r.ok) throw new DatasetError(`fetching ${r.url} failed with HTTP ${r.status}: the ${split} split is required`);
  return r;
}
