/**
 * ONION's scoring in `npm run bench -- --data DIR`: the pseudo-perplexities of the first test sentences
 * and of each with one word deleted (what ONION scores), through the plain masked-LM path (every block at
 * every token, then the masked rows, a log-softmax and a one-hot pick: the scorer until 2026-12-04) and
 * through `studentScorer` (the last block at the masked token alone, the target's logit read), alternated,
 * with the largest relative difference. Timing does not depend on the weights: a fresh student.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentConfig } from '../engine/config';
import type { Dataset } from '../engine/data/types';
import type { TextTokenizer } from '../engine/data/tokenizer';
import { pseudoPerplexities, studentScorer, type MaskedScorer } from '../engine/defenses/onion';
import { StudentModel } from '../engine/models/student';
import { Rng } from '../engine/rng';

export interface OnionMeasurement {
  texts: number;
  /** Masked rows scored per pass. */
  rows: number;
  /** Seconds per pass, one per round. */
  plain: number[];
  lastBlockAtMask: number[];
  /** Largest |a − b| / a over every pseudo-perplexity of the two paths. */
  maxRelativeDifference: number;
}

/** Every block at every token, then the masked rows: the reference `studentScorer` is checked against. */
function plainScorer(lm: StudentModel): MaskedScorer {
  return async (ids, rowLength, positions, targets) => {
    const n = positions.length;
    const out = tf.tidy(() => {
      const flat = tf.tensor1d(Int32Array.from(positions, (p, r) => r * rowLength + p), 'int32');
      const logProbs = tf.logSoftmax(lm.mlmLogits(tf.tensor2d(ids, [n, rowLength], 'int32'), flat, false));
      return tf.sum(tf.mul(logProbs, tf.oneHot(tf.tensor1d(targets, 'int32'), logProbs.shape[1])), 1);
    });
    const values = (await out.data()) as Float32Array;
    out.dispose();
    return values;
  };
}

export async function measureOnionScoring(cfg: ExperimentConfig, data: Dataset, tokenizer: TextTokenizer, texts: number, rounds: number): Promise<OnionMeasurement> {
  const T = cfg.data.maxLength;
  const lm = new StudentModel(cfg.models.student, tokenizer.vocabSize, T, data.labelNames.length, cfg.models.dropout, new Rng(1));
  const idsOf = (words: string[]) => Int32Array.from(tokenizer.tokenize(words.join(' ')), (t) => tokenizer.idOf(t));
  // As ONION scores a text: the text itself, then without each word in turn.
  const lists = data.test.slice(0, texts).map((e) => {
    const words = e.text.split(/\s+/).filter(Boolean);
    return [idsOf(words), ...words.map((_, i) => idsOf(words.filter((__, j) => j !== i)))];
  });
  const timed = async (score: MaskedScorer) => {
    const started = performance.now();
    const values: number[] = [];
    for (const l of lists) values.push(...(await pseudoPerplexities(score, l, T)));
    return { seconds: (performance.now() - started) / 1000, values };
  };
  const [plain, atMask] = [plainScorer(lm), studentScorer(lm)];
  try {
    await timed(atMask); // warm-up
    const out: OnionMeasurement = { texts: lists.length, rows: lists.flat().reduce((n, l) => n + Math.min(l.length, T - 1), 0), plain: [], lastBlockAtMask: [], maxRelativeDifference: 0 };
    for (let r = 0; r < rounds; r++) {
      const a = await timed(plain);
      const b = await timed(atMask);
      out.plain.push(a.seconds);
      out.lastBlockAtMask.push(b.seconds);
      a.values.forEach((v, i) => (out.maxRelativeDifference = Math.max(out.maxRelativeDifference, Math.abs(v - b.values[i]!) / v)));
    }
    return out;
  } finally {
    lm.dispose();
  }
}
