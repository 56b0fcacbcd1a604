/**
 * The checks every dataset passes before a run, wherever it came from: a bad file fails here with a
 * message that names the split, the row and the fix, not later as a NaN loss.
 */
import { DatasetError } from './errors';
import type { Dataset, SplitName } from './types';

const SPLITS: readonly SplitName[] = ['train', 'dev', 'test'];

/**
 * Return `ds` if it is usable (with `sizeNotices` added to its notices), else throw a `DatasetError`: a
 * split that is empty, fewer than two classes in train, fewer than two label names, a label that is not
 * an index into `labelNames`, or an empty text.
 */
export function validateDataset(ds: Dataset): Dataset {
  const name = `dataset "${ds.name}"`;
  const numLabels = ds.labelNames.length;
  if (numLabels < 2) {
    throw new DatasetError(`${name} has ${numLabels === 0 ? 'no labels' : `one label (${ds.labelNames[0]})`}; a classifier needs at least two`);
  }
  for (const split of SPLITS) {
    const examples = ds[split];
    if (!Array.isArray(examples) || examples.length === 0) {
      throw new DatasetError(`${name}: the ${split} split is empty; give it examples, or leave the split out so it is cut from train`);
    }
    examples.forEach((e, i) => {
      if (!Number.isInteger(e.label) || e.label < 0 || e.label >= numLabels) {
        throw new DatasetError(`${name}: ${split}[${i}] has label ${e.label}, outside 0..${numLabels - 1} (labels: ${ds.labelNames.join(', ')})`);
      }
      if (typeof e.text !== 'string' || e.text.trim() === '') {
        throw new DatasetError(`${name}: ${split}[${i}] has an empty text; remove the row or fill it in`);
      }
    });
  }
  const present = [...new Set(ds.train.map((e) => e.label))].sort((a, b) => a - b);
  if (present.length < 2) {
    throw new DatasetError(
      `${name} has one class (${ds.labelNames[present[0]!]}) in its training split; a classifier needs at least two`,
    );
  }
  const unseen = ds.labelNames.filter((_, i) => !present.includes(i));
  if (unseen.length > 0) {
    throw new DatasetError(`${name}: class ${unseen.map((n) => `"${n}"`).join(', ')} appears in dev or test but never in train, so no model can learn it; add training examples or remove those rows`);
  }
  const notices = [...new Set([...(ds.notices ?? []), ...sizeNotices(ds)])];
  return notices.length > 0 ? { ...ds, notices } : ds;
}

/** Below these sizes a run still works but its figures mean little, and the user should hear why. */
const FEW_TRAIN = 100;
const FEW_PER_CLASS = 10;
const FEW_EVAL = 20;

/**
 * Warnings for a dataset too small to measure anything: a two-row file trains, but CA and ASR then swing
 * by tens of points from seed to seed, and a class needs examples to be learned at all.
 */
function sizeNotices(ds: Dataset): string[] {
  const out: string[] = [];
  const perClass = ds.labelNames.map((_, i) => ds.train.filter((e) => e.label === i).length);
  if (ds.train.length < FEW_TRAIN || Math.min(...perClass) < FEW_PER_CLASS) {
    out.push(
      `dataset "${ds.name}" is very small: ${ds.train.length} training example${ds.train.length === 1 ? '' : 's'} ` +
        `(${ds.labelNames.map((n, i) => `${n}: ${perClass[i]}`).join(', ')}); the run works, but CA and ASR will swing by many points ` +
        `from seed to seed. A few hundred examples per class give figures worth comparing`,
    );
  }
  for (const split of ['dev', 'test'] as const) {
    const n = ds[split].length;
    if (n < FEW_EVAL) out.push(`the ${split} split has ${n} example${n === 1 ? '' : 's'}, so each one moves CA by ${(100 / n).toFixed(0)} points`);
  }
  return out;
}
