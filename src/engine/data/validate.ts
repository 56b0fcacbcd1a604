/**
 * The checks every dataset passes before a run, wherever it came from: a bad file fails here with a
 * message that names the split, the row and the fix, not later as a NaN loss.
 */
import { DatasetError } from './errors';
import type { Dataset, SplitName } from './types';

const SPLITS: readonly SplitName[] = ['train', 'dev', 'test'];

/**
 * Return `ds` unchanged if it is usable, else throw a `DatasetError`: a split that is empty, fewer than
 * two classes in train, fewer than two label names, a label that is not an index into `labelNames`, or
 * an empty text.
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
  return ds;
}
