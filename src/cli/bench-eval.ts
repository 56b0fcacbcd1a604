/**
 * The evaluation pass of `npm run bench -- --data DIR`: a whole dev + test pass at the full window in set
 * order against the same pass in order of length (`predictSetLabels`), alternated, with how many labels
 * differ. Timing does not depend on the weights, so the student is freshly initialised.
 */
import type { ExperimentConfig } from '../engine/config';
import type { Dataset } from '../engine/data/types';
import type { TextTokenizer } from '../engine/data/tokenizer';
import { StudentModel } from '../engine/models/student';
import { Rng } from '../engine/rng';
import { disposeSet, encodeSet, type EncodedSet } from '../engine/train/batches';
import { predictLabels, predictSetLabels } from '../engine/train/evaluate';

export interface EvalMeasurement {
  sentences: number;
  /** Seconds per pass, one per round. */
  fullWindow: number[];
  byLength: number[];
  /** Labels the two passes disagree on (float rounding only). */
  labelsDiffer: number;
}

export async function measureEvaluation(cfg: ExperimentConfig, data: Dataset, tokenizer: TextTokenizer, rounds: number): Promise<EvalMeasurement> {
  const T = cfg.data.maxLength;
  const sets = [data.dev, data.test].map((examples) => encodeSet(tokenizer, examples, T));
  const student = new StudentModel(cfg.models.student, tokenizer.vocabSize, T, data.labelNames.length, cfg.models.dropout, new Rng(1));
  const timed = async (pass: (s: EncodedSet) => Promise<Int32Array>) => {
    const started = performance.now();
    const labels: Int32Array[] = [];
    for (const s of sets) labels.push(await pass(s));
    return { seconds: (performance.now() - started) / 1000, labels };
  };
  const full = (s: EncodedSet) => predictLabels(student, s.ids);
  const byLength = (s: EncodedSet) => predictSetLabels(student, s);
  try {
    await timed(byLength); // warm-up: kernels and buffers of every width
    const out: EvalMeasurement = { sentences: sets.reduce((n, s) => n + s.size, 0), fullWindow: [], byLength: [], labelsDiffer: 0 };
    for (let r = 0; r < rounds; r++) {
      const a = await timed(full);
      const b = await timed(byLength);
      out.fullWindow.push(a.seconds);
      out.byLength.push(b.seconds);
      if (r === 0) a.labels.forEach((l, i) => l.forEach((x, j) => (out.labelsDiffer += Number(x !== b.labels[i]![j]))));
    }
    return out;
  } finally {
    student.dispose();
    sets.forEach(disposeSet);
  }
}
