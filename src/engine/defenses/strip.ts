/**
 * STRIP (Gao et al., ACSAC 2019; the text variant of Gao et al. 2021): a trigger dominates the model's
 * decision, so an input that carries one keeps its prediction when the rest of it is scrambled, where a
 * clean input's prediction wanders. For each input make `strip.repeats` copies, each with a
 * `strip.swapRatio` share of its words replaced by words drawn from the defender's clean texts; the
 * input's score is the mean entropy of the poisoned model's predictions on the copies. Inputs scoring
 * below a threshold are rejected; the threshold is set on clean dev data so that a `strip.frr` share of
 * clean inputs is rejected (the false-rejection rate STRIP fixes in advance).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TextTokenizer } from '../data/tokenizer';
import { Rng } from '../rng';
import type { Classifier } from '../train/evaluate';
import { predictProbabilities } from '../train/evaluate';
import { cancellationPoint } from '../train/context';
import type { InputFilter, Screened } from './input-filter';
import { screenTestSets } from './screen-test-sets';
import type { DefenseContext, DefenseOutcome, DefenseProcedure } from './procedure';

/** Inputs whose copies go through the model in one batch. */
const INPUTS_PER_BATCH = 32;

/** `words` with `round(swapRatio · n)` of them (at least one) replaced, at distinct random places, by words of `pool`. */
export function perturbWords(words: readonly string[], pool: readonly string[], swapRatio: number, rng: Rng): string[] {
  if (words.length === 0 || pool.length === 0) return words.slice();
  const k = Math.min(words.length, Math.max(1, Math.round(swapRatio * words.length)));
  const out = words.slice();
  for (const i of rng.sample(Array.from({ length: words.length }, (_, j) => j), k)) out[i] = pool[rng.int(pool.length)]!;
  return out;
}

/** Shannon entropy in nats of one probability row. */
export function entropy(probs: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i]!;
    if (p > 0) h -= p * Math.log(p);
  }
  return h;
}

/**
 * The entropy threshold that rejects a `frr` share of `cleanScores` (inputs below it are rejected): the
 * ⌊frr·n⌋-th smallest score, so at most that many clean scores lie strictly below it.
 */
export function thresholdForFrr(cleanScores: readonly number[], frr: number): number {
  if (cleanScores.length === 0) return 0;
  const sorted = [...cleanScores].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(frr * sorted.length))]!;
}

interface StripSettings {
  repeats: number;
  swapRatio: number;
  /** Words perturbed copies draw from: the defender's clean texts. */
  pool: readonly string[];
  seed: number;
}

/**
 * Each text's STRIP score: the mean entropy of `model`'s predictions over its perturbed copies. The
 * copies of a text depend on the text and the seed alone, so a text scores the same in the test set
 * and in the try-it box.
 */
export async function stripScores(model: Classifier, tokenizer: TextTokenizer, maxLength: number, texts: readonly string[], s: StripSettings, signal?: AbortSignal): Promise<number[]> {
  const scores: number[] = [];
  for (let start = 0; start < texts.length; start += INPUTS_PER_BATCH) {
    await cancellationPoint(signal);
    const chunk = texts.slice(start, start + INPUTS_PER_BATCH);
    const copies = chunk.flatMap((text) => {
      const rng = new Rng(s.seed).fork(text);
      const words = text.split(/\s+/).filter(Boolean);
      return Array.from({ length: s.repeats }, () => perturbWords(words, s.pool, s.swapRatio, rng).join(' '));
    });
    const ids = tf.tensor2d(tokenizer.encodeBatch(copies, maxLength), [copies.length, maxLength], 'int32');
    const probs = await predictProbabilities(model, ids).finally(() => ids.dispose());
    const c = probs.length / copies.length;
    chunk.forEach((_, i) => {
      let sum = 0;
      for (let r = 0; r < s.repeats; r++) {
        const row = (i * s.repeats + r) * c;
        sum += entropy(probs.subarray(row, row + c));
      }
      scores.push(sum / s.repeats);
    });
  }
  return scores;
}

/** The STRIP screen: rejects inputs scoring below `threshold`. */
export function stripFilter(model: Classifier, tokenizer: TextTokenizer, maxLength: number, settings: StripSettings, threshold: number): InputFilter {
  return {
    async screen(texts, signal): Promise<Screened[]> {
      const scores = await stripScores(model, tokenizer, maxLength, texts, settings, signal);
      return texts.map((text, i) => {
        const flagged = scores[i]! < threshold;
        return {
          text,
          flagged,
          rejected: flagged,
          note: `prediction entropy under ${settings.repeats} perturbations ${scores[i]!.toFixed(3)} ${flagged ? '<' : '≥'} threshold ${threshold.toFixed(3)}: ${flagged ? 'rejected as triggered' : 'accepted'}`,
        };
      });
    },
  };
}

export const strip: DefenseProcedure = {
  async run(c: DefenseContext): Promise<DefenseOutcome> {
    const { cfg, data, ctx } = c;
    const { repeats, swapRatio, frr } = cfg.defense.strip;
    const T = cfg.data.maxLength;
    const settings: StripSettings = { repeats, swapRatio, pool: data.texts.defender.flatMap((e) => e.text.split(/\s+/).filter(Boolean)), seed: c.rng.fork('perturb').seed() };
    // The threshold comes from clean dev data only: the test sets never choose it.
    const devScores = await stripScores(c.poisoned, data.tokenizer, T, data.texts.dev.map((e) => e.text), settings, ctx.signal);
    const threshold = thresholdForFrr(devScores, frr);
    ctx.emit({ type: 'log', level: 'info', message: `${c.stage}: entropy threshold ${threshold.toFixed(3)}, which rejects ${(frr * 100).toFixed(0)} % of ${devScores.length} clean dev sentences.` });
    const filter = stripFilter(c.poisoned, data.tokenizer, T, settings, threshold);
    const result = await screenTestSets(c, filter, threshold, 0);
    return { kind: 'filter', result, filter };
  },
};
