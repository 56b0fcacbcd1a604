/**
 * ONION (Qi et al., EMNLP 2021): a trigger word is an outlier in its sentence, so deleting it makes the
 * sentence more fluent. For each input of n words, score word i by fᵢ = p₀ − pᵢ, where p₀ is the
 * input's perplexity and pᵢ the perplexity without word i, and remove every word with fᵢ > t
 * (`defense.onion.threshold`). The model then classifies what is left.
 *
 * ONION used GPT-2. The lab's language model is the student as it was pretrained, before the public task
 * model and the attack (clean: it never saw a trigger), and a masked LM has no left-to-right perplexity,
 * so p is the pseudo-perplexity (Salazar et al. 2020): exp of minus the mean, over the input's tokens, of
 * log p(token | the input with that token masked). An input of n words costs about n² masked passes,
 * each with the last block run at the masked token alone (`StudentModel.mlmLogitsAt`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { CLS, MASK, type TextTokenizer } from '../data/tokenizer';
import type { StudentModel } from '../models/student';
import { cancellationPoint } from '../train/context';
import type { InputFilter, Screened } from './input-filter';
import { screeningPlan, screenTestSets } from './screen-test-sets';
import type { DefenseContext, DefenseOutcome, DefenseProcedure, ScreeningContext } from './procedure';

/** Masked sequences per forward pass. */
const LM_BATCH = 256;

/** Log-probabilities the LM gives `targets[i]` at position `positions[i]` of row i of `ids` ([n, T], row-major). */
export type MaskedScorer = (ids: Int32Array, rowLength: number, positions: Int32Array, targets: Int32Array) => Promise<Float32Array>;

/** The student's tied MLM head as a `MaskedScorer` (one masked token per row: the last block runs there alone). */
export function studentScorer(lm: StudentModel): MaskedScorer {
  return async (ids, rowLength, positions, targets) => {
    const n = positions.length;
    const out = tf.tidy(() => {
      const logits = lm.mlmLogitsAt(tf.tensor2d(ids, [n, rowLength], 'int32'), tf.tensor1d(positions, 'int32')); // [n, V]
      const V = logits.shape[1];
      // log p(target) = its logit − logsumexp of the row: the target's logit read, not a one-hot [n, V] built.
      const picked = tf.gather(tf.reshape(logits, [n * V]), tf.tensor1d(Int32Array.from(targets, (t, r) => r * V + t), 'int32'));
      return tf.sub(picked, tf.logSumExp(logits, 1));
    });
    const values = (await out.data()) as Float32Array;
    out.dispose();
    return values;
  };
}

/**
 * Pseudo-perplexity of each token list (ids without [CLS], at most `maxLength − 1` of them): every token
 * masked in turn, scored in batches. An empty list has none (NaN).
 */
export async function pseudoPerplexities(score: MaskedScorer, tokenLists: readonly Int32Array[], maxLength: number, signal?: AbortSignal): Promise<number[]> {
  const jobs: { list: number; position: number }[] = [];
  tokenLists.forEach((tokens, list) => {
    for (let p = 0; p < Math.min(tokens.length, maxLength - 1); p++) jobs.push({ list, position: p + 1 });
  });
  const sums = new Float64Array(tokenLists.length);
  const counts = new Int32Array(tokenLists.length);
  const rowLength = Math.min(maxLength, 1 + Math.max(0, ...tokenLists.map((t) => t.length)));
  for (let start = 0; start < jobs.length; start += LM_BATCH) {
    await cancellationPoint(signal);
    const chunk = jobs.slice(start, start + LM_BATCH);
    const ids = new Int32Array(chunk.length * rowLength); // PAD is 0
    const positions = new Int32Array(chunk.length);
    const targets = new Int32Array(chunk.length);
    chunk.forEach((job, r) => {
      const tokens = tokenLists[job.list]!;
      ids[r * rowLength] = CLS;
      for (let p = 0; p < Math.min(tokens.length, rowLength - 1); p++) ids[r * rowLength + 1 + p] = tokens[p]!;
      targets[r] = ids[r * rowLength + job.position]!;
      ids[r * rowLength + job.position] = MASK;
      positions[r] = job.position;
    });
    const logProbs = await score(ids, rowLength, positions, targets);
    chunk.forEach((job, r) => {
      sums[job.list]! += logProbs[r]!;
      counts[job.list]! += 1;
    });
  }
  return Array.from(sums, (s, i) => (counts[i]! > 0 ? Math.exp(-s / counts[i]!) : Number.NaN));
}

/** ONION's suspicion of each word: p₀ − pᵢ (a deletion that leaves nothing to score scores 0). */
export function suspicionScores(p0: number, withoutEach: readonly number[]): number[] {
  return withoutEach.map((p) => (Number.isFinite(p) && Number.isFinite(p0) ? p0 - p : 0));
}

/** The words with suspicion at most `threshold` (kept) and the ones above it (removed), in order. */
export function splitByThreshold(words: readonly string[], scores: readonly number[], threshold: number): { kept: string[]; removed: string[] } {
  const kept: string[] = [];
  const removed: string[] = [];
  words.forEach((w, i) => (scores[i]! > threshold ? removed : kept).push(w));
  return { kept, removed };
}

/** The ONION screen over `lm`: cleans each input, removing its suspicious words. */
export function onionFilter(score: MaskedScorer, tokenizer: TextTokenizer, maxLength: number, threshold: number): InputFilter {
  const idsOf = (text: string) => Int32Array.from(tokenizer.tokenize(text), (t) => tokenizer.idOf(t));
  return {
    async screen(texts, signal) {
      const out: Screened[] = [];
      for (const text of texts) {
        const words = text.split(/\s+/).filter(Boolean);
        const variants = [words.join(' '), ...words.map((_, i) => words.filter((__, j) => j !== i).join(' '))];
        const [p0, ...without] = await pseudoPerplexities(score, variants.map(idsOf), maxLength, signal);
        const scores = suspicionScores(p0!, without);
        const { kept, removed } = splitByThreshold(words, scores, threshold);
        const named = words.map((w, i) => ({ w, s: scores[i]! })).filter(({ s }) => s > threshold);
        out.push({
          text: removed.length > 0 ? kept.join(' ') : text,
          flagged: removed.length > 0,
          rejected: false,
          removed,
          note:
            removed.length > 0
              ? `removed ${named.map(({ w, s }) => `“${w}” (without it the pseudo-perplexity falls by ${s.toFixed(1)})`).join(', ')}; the input's is ${p0!.toFixed(1)}, the threshold ${threshold}`
              : `kept every word: none lowers the pseudo-perplexity (${Number.isFinite(p0!) ? p0!.toFixed(1) : '—'}) by more than the threshold ${threshold}`,
        });
      }
      return out;
    },
  };
}

/** ONION over the clean pretrained LM, built alike in this engine and in a lane that shares its screening. */
const onionOf = (c: ScreeningContext): InputFilter => onionFilter(studentScorer(c.pretrainedLm()), c.data.tokenizer, c.cfg.data.maxLength, c.cfg.defense.onion.threshold);

export const onion: DefenseProcedure = {
  async run(c: DefenseContext): Promise<DefenseOutcome> {
    const filter = onionOf(c);
    const result = await screenTestSets(c, filter, c.cfg.defense.onion.threshold, c.cfg.defense.onion.maxTexts);
    return { kind: 'filter', result, filter };
  },
  laneFilter: onionOf,
  screenedTexts: (c) => screeningPlan(c.data, c.cfg.defense.onion.maxTexts, c.rng).texts,
};
