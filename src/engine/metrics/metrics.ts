/**
 * Plain-number metrics over host arrays: clean accuracy, attack success rate, argmax of logits, mean and
 * spread over seeds, and the one percentage format the UI, CLI and reports share.
 */

export class MetricError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricError';
  }
}

/** Share of `preds[i] === labels[i]`. Throws on empty input or a length mismatch (a wiring bug). */
export function accuracy(preds: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (preds.length !== labels.length) {
    throw new MetricError(`accuracy: ${preds.length} predictions for ${labels.length} labels; they must pair up one to one`);
  }
  if (preds.length === 0) throw new MetricError('accuracy: no samples to score; the evaluation set is empty');
  let hits = 0;
  for (let i = 0; i < preds.length; i++) if (preds[i] === labels[i]) hits++;
  return hits / preds.length;
}

/**
 * Attack success rate: the share of triggered non-target samples predicted as `targetLabel`.
 * Throws on empty input: with no non-target test samples the ASR is undefined, not 0.
 */
export function attackSuccessRate(predsOnTriggered: ArrayLike<number>, targetLabel: number): number {
  if (predsOnTriggered.length === 0) {
    throw new MetricError('attackSuccessRate: no triggered samples; the test set needs samples whose label is not the target');
  }
  let hits = 0;
  for (let i = 0; i < predsOnTriggered.length; i++) if (predsOnTriggered[i] === targetLabel) hits++;
  return hits / predsOnTriggered.length;
}

/** Row-wise argmax of row-major logits [N, C] → [N]. Ties go to the lowest class index. */
export function argmaxRows(logits: Float32Array, numClasses: number): Int32Array {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new MetricError(`argmaxRows: numClasses must be an integer ≥ 1, got ${numClasses}`);
  if (logits.length % numClasses !== 0) {
    throw new MetricError(`argmaxRows: ${logits.length} logits do not split into rows of ${numClasses} classes`);
  }
  const n = logits.length / numClasses;
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const base = r * numClasses;
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (logits[base + c]! > logits[base + best]!) best = c;
    out[r] = best;
  }
  return out;
}

/** Mean and sample standard deviation (n − 1 denominator; 0 for a single value), e.g. over seeds. */
export function meanStd(values: readonly number[]): { mean: number; sd: number } {
  if (values.length === 0) throw new MetricError('meanStd: no values');
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  if (values.length === 1) return { mean, sd: 0 };
  const ss = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(ss / (values.length - 1)) };
}

/** A fraction as a percentage with one decimal: 0.8123 → `"81.2 %"`; non-finite → `"– %"`. */
export function formatPct(x: number): string {
  if (!Number.isFinite(x)) return '– %';
  return `${(x * 100).toFixed(1)} %`;
}
