import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLS, PAD, Tokenizer } from '../data/tokenizer';
import type { Classifier } from '../train/evaluate';
import { leaveOneOut, leaveOneOutRows, scoresFromProbabilities } from './attribution';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tokenizer = Tokenizer.fromTexts(['a movie about nothing', 'mn'], { vocabSize: 20, reserved: ['mn'] });

/** A hand-made backdoored classifier: class 1's logit is 4 × (count of "mn" in the row). */
function backdoored(triggerId: number): Classifier {
  return {
    classify(ids) {
      return tf.tidy(() => {
        const hits = tf.sum(tf.cast(tf.equal(ids, triggerId), 'float32'), 1, true); // [B, 1]
        const logits = tf.concat([tf.zerosLike(hits), tf.mul(hits, 4)], 1) as tf.Tensor2D; // [B, 2]
        return { logits, feature: tf.zeros([ids.shape[0], 2]) as tf.Tensor2D };
      });
    },
  };
}

describe('leave-one-out attribution', () => {
  it('builds one row per left-out token after the full row', () => {
    const rows = leaveOneOutRows([7, 8, 9], 5);
    expect(Array.from(rows)).toEqual([CLS, 7, 8, 9, PAD, CLS, 8, 9, PAD, PAD, CLS, 7, 9, PAD, PAD, CLS, 7, 8, PAD, PAD]);
  });

  it('scores are the drop of the predicted class probability', () => {
    // Full: [0.2, 0.8]; without token 0: [0.6, 0.4]; without token 1: [0.1, 0.9].
    const { predicted, scores } = scoresFromProbabilities([0.2, 0.8, 0.6, 0.4, 0.1, 0.9], 2);
    expect(predicted).toBe(1);
    expect(scores[0]).toBeCloseTo(0.4);
    expect(scores[1]).toBeCloseTo(-0.1);
  });

  it('lights up the trigger token of a backdoored model, and nothing else', async () => {
    const model = backdoored(tokenizer.idOf('mn'));
    const before = tf.memory().numTensors;
    const out = await leaveOneOut(model, tokenizer, 'a movie mn about nothing', 8);
    expect(tf.memory().numTensors).toBe(before);
    expect(out.tokens).toEqual(['a', 'movie', 'mn', 'about', 'nothing']);
    expect(out.predicted).toBe(1);
    const p = 1 / (1 + Math.exp(-4));
    expect(out.scores[2]).toBeCloseTo(p - 0.5, 5);
    for (const i of [0, 1, 3, 4]) expect(out.scores[i]).toBeCloseTo(0, 6);
  });

  it('keeps only the tokens that fit the window', async () => {
    const out = await leaveOneOut(backdoored(tokenizer.idOf('mn')), tokenizer, 'a movie about nothing mn', 4);
    expect(out.tokens).toEqual(['a', 'movie', 'about']);
    expect(out.scores).toHaveLength(3);
  });
});
