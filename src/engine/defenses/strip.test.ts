import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Tokenizer } from '../data/tokenizer';
import { Rng } from '../rng';
import type { Classifier } from '../train/evaluate';
import { entropy, perturbWords, stripFilter, stripScores, thresholdForFrr } from './strip';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('STRIP pieces', () => {
  it('entropy in nats of hand-made rows', () => {
    expect(entropy([0.5, 0.5])).toBeCloseTo(Math.log(2), 10);
    expect(entropy([1, 0])).toBe(0);
    expect(entropy([0.25, 0.25, 0.25, 0.25])).toBeCloseTo(Math.log(4), 10);
  });

  it('replaces round(ratio · n) distinct words, each by a word of the pool', () => {
    const words = ['w0', 'w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8', 'w9'];
    const out = perturbWords(words, ['P'], 0.3, new Rng(1));
    expect(out.filter((w) => w === 'P')).toHaveLength(3);
    expect(out.filter((w, i) => w !== 'P' && w !== words[i])).toEqual([]);
    expect(perturbWords(['only'], ['P'], 0.1, new Rng(1))).toEqual(['P']); // at least one
    expect(perturbWords([], ['P'], 0.5, new Rng(1))).toEqual([]);
  });

  it('sets the threshold so that the target share of clean scores falls below it', () => {
    const clean = [0.9, 0.1, 0.5, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6, 1.0];
    expect(thresholdForFrr(clean, 0.2)).toBe(0.3); // 0.1 and 0.2 lie below
    expect(clean.filter((s) => s < thresholdForFrr(clean, 0.2))).toHaveLength(2);
    expect(thresholdForFrr(clean, 0.01)).toBe(0.1); // none below
  });
});

/** Certain of class 1 whenever "mn" is in the text (a planted trigger), undecided otherwise. */
const triggered: Classifier & { tokenizer: Tokenizer } = (() => {
  const tokenizer = Tokenizer.fromTexts(['mn a b c d e f g h'], { vocabSize: 40 });
  const mn = tokenizer.idOf('mn');
  return {
    tokenizer,
    classify(ids: tf.Tensor2D) {
      return tf.tidy(() => {
        const has = tf.cast(tf.any(tf.equal(ids, mn), 1), 'float32'); // [B]
        const logits = tf.stack([tf.zeros(has.shape), tf.mul(has, 20)], 1) as tf.Tensor2D;
        return { logits, feature: logits };
      });
    },
  };
})();

describe('stripFilter', () => {
  const settings = { repeats: 8, swapRatio: 0.5, pool: ['a', 'b', 'c', 'd'], seed: 5 };

  it('scores a text by the mean entropy over its perturbed copies, the same text the same way', async () => {
    const [undecided, again] = await stripScores(triggered, triggered.tokenizer, 12, ['e f g h', 'e f g h'], settings);
    expect(undecided).toBeCloseTo(Math.log(2), 5); // no copy holds "mn"
    expect(again).toBe(undecided);
  });

  it('rejects a triggered input whose trigger survives the perturbations, and accepts a clean one', async () => {
    // "mn" three times among four words: with half the words replaced, at least one "mn" survives.
    const [bad, good] = await stripFilter(triggered, triggered.tokenizer, 12, settings, 0.3).screen(['mn mn mn e', 'e f g h']);
    expect(bad).toMatchObject({ text: 'mn mn mn e', flagged: true, rejected: true });
    expect(bad!.note).toContain('rejected');
    expect(good).toMatchObject({ flagged: false, rejected: false });
  });
});
