/**
 * From parsed rows to a `Dataset`: label mapping, missing splits, stratified subsets. Every loader
 * (JSONL, CSV/TSV, URL, upload, bundle) ends here, so labels are mapped the same way everywhere.
 */
import { Rng } from '../rng';
import { DatasetError } from './errors';
import type { Dataset, Example } from './types';

/** One row as a parser reads it, before labels are mapped to indices. */
export interface RawRow {
  text: string;
  /** The label as the file writes it: a class index (`0`, `1`) or a name (`"spam"`). */
  label: string | number;
  /** A readable name for a numeric label (SetFit's `label_text`). */
  labelText?: string;
  /** Where the row was read (`train.jsonl line 3`), so a bad label can be named by its line. */
  where?: string;
}

interface RawSplits {
  train: RawRow[];
  dev?: RawRow[];
  test?: RawRow[];
}

/** Shares for splitting one file into train/dev/test: the usual 80/10/10. */
const DEFAULT_SPLIT_FRACTIONS = [0.8, 0.1, 0.1] as const;

/**
 * Build a dataset from parsed rows. Numeric labels (or strings that are integers, as CSV gives them) are
 * class indices and must be 0..K-1 with none missing: a -1/1 or 0.5 file is refused with its line, never
 * silently renumbered. Other labels are names, sorted and mapped to 0..K-1, and the mapping is said in
 * `notices`. Label names come from `labelText` when rows carry it (SST-2: 0 = negative, 1 = positive). A
 * missing dev or test split is cut from train by a stratified split seeded with `seed`, so the same file
 * always splits the same way.
 */
export function datasetFromRows(name: string, splits: RawSplits, seed: number): Dataset {
  const all = [...splits.train, ...(splits.dev ?? []), ...(splits.test ?? [])];
  const { index, labelNames, notices } = labelMapping(all);
  let cut = 0;
  const toExamples = (rows: RawRow[]): Example[] =>
    rows.map((r) => {
      if (r.text.length <= MAX_TEXT_CHARS) return { text: r.text, label: index.get(key(r.label))! };
      cut += 1;
      return { text: r.text.slice(0, MAX_TEXT_CHARS), label: index.get(key(r.label))! };
    });

  let train = toExamples(splits.train);
  let dev = splits.dev ? toExamples(splits.dev) : undefined;
  let test = splits.test ? toExamples(splits.test) : undefined;
  // A fork per purpose, so that how dev is cut never shifts how test is cut.
  const rng = new Rng(seed).fork('split');
  if (!dev && !test) {
    [train, dev, test] = stratifiedSplit(train, DEFAULT_SPLIT_FRACTIONS, rng) as [Example[], Example[], Example[]];
  } else if (!dev) {
    [train, dev] = stratifiedSplit(train, [0.9, 0.1], rng.fork('dev')) as [Example[], Example[]];
  } else if (!test) {
    [train, test] = stratifiedSplit(train, [0.9, 0.1], rng.fork('test')) as [Example[], Example[]];
  }
  if (cut > 0) {
    notices.push(`${cut} text${cut > 1 ? 's' : ''} longer than ${MAX_TEXT_CHARS.toLocaleString('en')} characters ${cut > 1 ? 'were' : 'was'} cut to that length (the models read at most 512 tokens of a text)`);
  }
  return { name, labelNames, train, dev: dev!, test: test!, ...(notices.length > 0 ? { notices } : {}) };
}

/**
 * Texts are cut to this many characters as they are read. The models read at most 512 tokens, a few
 * thousand characters; a longer text (a whole book on one line) would only cost tokenizing time and memory.
 */
const MAX_TEXT_CHARS = 20_000;

// Map keys keep 1 (number) and "1" (string) apart until we decide they are the same label.
const key = (label: string | number): string => (typeof label === 'number' ? `n:${label}` : `s:${label}`);
const INTEGER = /^-?\d+$/;

function labelMapping(rows: readonly RawRow[]): { index: Map<string, number>; labelNames: string[]; notices: string[] } {
  const names = new Map<string, string>(); // raw key -> labelText, first one seen
  const raw = new Map<string, RawRow>(); // raw key -> the first row that carries it
  for (const r of rows) {
    const k = key(r.label);
    if (!raw.has(k)) raw.set(k, r);
    if (r.labelText !== undefined && r.labelText !== '' && !names.has(k)) names.set(k, r.labelText);
  }
  const firstRows = [...raw.values()];
  const values = firstRows.map((r) => r.label);
  const isNumeric = (v: string | number) => typeof v === 'number' || INTEGER.test(v) || NUMBER.test(v);
  const numeric = values.every(isNumeric);
  if (numeric) checkClassIndices(firstRows);
  else if (values.some(isNumeric)) {
    const index = firstRows.find((r) => isNumeric(r.label))!;
    const name = firstRows.find((r) => !isNumeric(r.label))!;
    throw new DatasetError(
      `${index.where ?? 'a row'} has label ${JSON.stringify(index.label)} but ${name.where ?? 'another row'} has label ${JSON.stringify(name.label)}: ` +
        'a file uses class indices (0, 1, …) or class names, not both',
    );
  }
  // Numeric labels in numeric order (1, 2, 10, not 1, 10, 2); names in code-point order, which does not
  // depend on the machine's locale.
  const asNumber = (v: string | number) => (typeof v === 'number' ? v : Number(v));
  const sorted = numeric
    ? values.sort((a, b) => asNumber(a) - asNumber(b))
    : values.sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));

  // "1" and 1 are one label when every label is numeric: give both keys the same index.
  const index = new Map<string, number>();
  const labelNames: string[] = [];
  for (const v of sorted) {
    const canonical = numeric ? asNumber(v) : v;
    const existing = index.get(key(canonical));
    if (existing !== undefined) {
      index.set(key(v), existing);
      continue;
    }
    const i = labelNames.length;
    index.set(key(v), i);
    index.set(key(canonical), i);
    labelNames.push(names.get(key(v)) ?? names.get(key(canonical)) ?? String(v));
  }
  const notices = numeric ? [] : [`labels read as class names and numbered in sorted order: ${labelNames.map((n, i) => `"${n}" → ${i}`).join(', ')}`];
  return { index, labelNames, notices };
}

const NUMBER = /^\s*-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i;

/**
 * Numeric labels are class indices: whole numbers 0..K-1, each present. Anything else (-1/1, 0.5, 1..5)
 * is refused with the first row that shows it, because renumbering it silently would train on a
 * meaning the file never gave (is -1 the first class or a missing label?).
 */
function checkClassIndices(firstRows: readonly RawRow[]): void {
  const at = (r: RawRow) => r.where ?? 'a row';
  const fix = 'labels must be class indices 0, 1, …, K-1, or class names such as "neg"/"pos" (names are numbered in sorted order)';
  for (const r of firstRows) {
    const n = Number(r.label);
    if (!Number.isInteger(n)) throw new DatasetError(`${at(r)}: label ${JSON.stringify(r.label)} is not a whole number; ${fix}`);
    if (n < 0) throw new DatasetError(`${at(r)}: label ${n} is negative; ${fix}`);
  }
  const present = new Set(firstRows.map((r) => Number(r.label)));
  const k = [...present].reduce((a, b) => Math.max(a, b), 0) + 1;
  const missing = Array.from({ length: k }, (_, i) => i).filter((i) => !present.has(i));
  if (missing.length > 0) {
    throw new DatasetError(
      `the labels are ${[...present].sort((a, b) => a - b).join(', ')}, so class${missing.length > 1 ? 'es' : ''} ${missing.slice(0, 5).join(', ')} ${missing.length > 1 ? 'have' : 'has'} no example; ${fix}`,
    );
  }
}

/** Indices of the examples grouped by label, in label order, each group in the input's order. */
function groupByLabel(examples: readonly Example[]): number[][] {
  const groups = new Map<number, number[]>();
  examples.forEach((e, i) => {
    let g = groups.get(e.label);
    if (!g) groups.set(e.label, (g = []));
    g.push(i);
  });
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, g]) => g);
}

/**
 * Split examples into parts with the given shares, class by class, so each part keeps the label
 * proportions. Every part after the first gets at least one example of a class that has enough of them
 * (one per part), so a small file still yields non-empty dev and test splits; the first part (train) takes
 * the rest and never ends up empty. Each part comes back shuffled by `rng`.
 */
export function stratifiedSplit(examples: readonly Example[], fractions: readonly number[], rng: Rng): Example[][] {
  const total = fractions.reduce((a, b) => a + b, 0);
  if (fractions.length === 0 || fractions.some((f) => !(f >= 0)) || !(total > 0)) {
    throw new RangeError(`stratifiedSplit: fractions must be non-negative and sum to more than 0, got [${fractions.join(', ')}]`);
  }
  const parts: Example[][] = fractions.map(() => []);
  for (const group of groupByLabel(examples)) {
    const shuffled = rng.shuffle(group.map((i) => examples[i]!));
    const n = shuffled.length;
    const sizes = fractions.map((f, i) => (i === 0 ? 0 : Math.round((f / total) * n)));
    if (n >= fractions.length) for (let i = 1; i < sizes.length; i++) if (fractions[i]! > 0) sizes[i] = Math.max(1, sizes[i]!);
    const sum = () => sizes.reduce((a, b) => a + b, 0);
    while (n > 0 && sum() > n - 1) {
      const largest = sizes.indexOf(Math.max(...sizes.slice(1)), 1);
      sizes[largest]! -= 1;
    }
    sizes[0] = n - sum();
    let at = 0;
    // A loop, not push(...slice): spreading 100 k examples as arguments overflows a browser worker's stack.
    sizes.forEach((size, i) => {
      const part = parts[i]!;
      for (let j = at; j < at + size; j++) part.push(shuffled[j]!);
      at += size;
    });
  }
  // Interleave the classes so a split never reads as all-of-one-class-then-the-next.
  return parts.map((p) => rng.shuffle(p));
}

/**
 * `n` examples with the label proportions of the whole (largest-remainder rounding; every class gets at
 * least one when `n` allows), in their original order. `n = 0` or `n ≥ examples.length` means all of them.
 */
export function stratifiedSubset(examples: readonly Example[], n: number, rng: Rng): Example[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`stratifiedSubset: n must be an integer ≥ 0 (0 = all), got ${n}`);
  if (n === 0 || n >= examples.length) return examples.slice();
  const groups = groupByLabel(examples);
  const exact = groups.map((g) => (g.length / examples.length) * n);
  const quota = exact.map(Math.floor);
  // Largest remainders first; ties go to the lower label so the result is deterministic.
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  let left = n - quota.reduce((a, b) => a + b, 0);
  for (const { i } of order) {
    if (left === 0) break;
    quota[i]! += 1;
    left--;
  }
  // A class with no slot would vanish from the subset: take one from the largest quota.
  if (n >= groups.length) {
    for (let i = 0; i < quota.length; i++) {
      if (quota[i] === 0) {
        quota[quota.indexOf(Math.max(...quota))]! -= 1;
        quota[i] = 1;
      }
    }
  }
  const picked = groups.flatMap((g, i) => rng.sample(g, quota[i]!));
  return picked.sort((a, b) => a - b).map((i) => examples[i]!);
}
