import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, DEFENSE_METHODS } from '../config';
import { DEFENSES } from '../defenses/catalog';
import { lossWeights } from '../defenses/registry';
import { defenseLoss, defenseTerms, usesTeacher } from './defense-loss';
import { crossEntropy, featureAlignmentLoss, kdLoss, tokenFeatureAlignmentLoss } from './losses';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const d = { ...DEFAULT_CONFIG.defense, ce: 2, kd: 0.5, fa: 3 };
const value = (t: tf.Tensor) => t.dataSync()[0]!;

const student = () => ({
  logits: tf.tensor2d([[0.2, -0.1], [1.5, 0.3]]),
  feature: tf.tensor2d([[0.1, 0.4], [0.3, -0.2]]),
  states: tf.tensor3d([[[0.1, 0.4], [0.5, 0.5]], [[0.3, -0.2], [9, 9]]]),
});
const teacher = () => ({ logits: tf.tensor2d([[1, 0], [0, 1]]), feature: tf.tensor2d([[0.2, 0.1], [0.4, 0]]) });
const labels = () => tf.tensor1d([0, 1], 'int32');
const mask = () => tf.tensor2d([[1, 1], [1, 0]]);

describe('lossWeights', () => {
  it('gives each method its terms: baselines CE alone, ablations drop one term', () => {
    expect(lossWeights('lora', d)).toEqual({ ce: 1, kd: 0, fa: 0 });
    expect(lossWeights('full-ft', d)).toEqual({ ce: 1, kd: 0, fa: 0 });
    expect(lossWeights('w2sdefense', d)).toEqual({ ce: 2, kd: 0.5, fa: 3 });
    expect(lossWeights('kd-only', d)).toEqual({ ce: 2, kd: 0.5, fa: 0 });
    expect(lossWeights('fa-only', d)).toEqual({ ce: 2, kd: 0, fa: 3 });
  });

  it('says which methods need the teacher, as the catalog says', () => {
    const needs = DEFENSE_METHODS.filter((m) => {
      const w = lossWeights(m, d);
      return w !== null && usesTeacher(w);
    });
    expect(needs).toEqual(['w2sdefense', 'kd-only', 'fa-only']);
    expect(DEFENSE_METHODS.filter((m) => DEFENSES[m].teacher === 'weak')).toEqual(needs);
    expect(usesTeacher(lossWeights('w2sdefense', { ...d, kd: 0, fa: 0 })!)).toBe(false);
  });

  it('gives no CE/KD/FA weights to defenses outside the family', () => {
    for (const m of ['fine-pruning', 'nad', 'onion', 'strip'] as const) expect(lossWeights(m, d)).toBeNull();
  });
});

describe('defenseLoss', () => {
  it('is a·CE + b·KD + c·FA with per-token FA by default', () => {
    const s = student();
    const t = teacher();
    const expected =
      2 * value(crossEntropy(s.logits, labels())) + 0.5 * value(kdLoss(s.logits, t.logits, 2)) + 3 * value(tokenFeatureAlignmentLoss(t.feature, s.states, mask()));
    expect(value(defenseLoss(s, t, labels(), mask(), lossWeights('w2sdefense', d)!, 2, 'token'))).toBeCloseTo(expected, 5);
  });

  it('uses the pooled feature in pooled mode', () => {
    const s = student();
    const t = teacher();
    const expected = 2 * value(crossEntropy(s.logits, labels())) + 3 * value(featureAlignmentLoss(t.feature, s.feature));
    expect(value(defenseLoss(s, t, labels(), mask(), lossWeights('fa-only', d)!, 2, 'pooled'))).toBeCloseTo(expected, 5);
  });

  it('averages per-token FA over every depth given (every-block FA)', () => {
    const s = student();
    const t = teacher();
    const earlier = tf.tensor3d([[[1, 0], [0, 1]], [[2, 2], [5, 5]]]);
    const fa = (states: tf.Tensor3D) => value(tokenFeatureAlignmentLoss(t.feature, states, mask()));
    const expected = 2 * value(crossEntropy(s.logits, labels())) + 3 * ((fa(s.states) + fa(earlier)) / 2);
    expect(value(defenseLoss({ ...s, earlierStates: [earlier] }, t, labels(), mask(), lossWeights('fa-only', d)!, 2, 'token'))).toBeCloseTo(expected, 5);
    // Only the token form reads depths: pooled FA ignores them.
    const pooled = value(defenseLoss(s, t, labels(), mask(), lossWeights('fa-only', d)!, 2, 'pooled'));
    expect(value(defenseLoss({ ...s, earlierStates: [earlier] }, t, labels(), mask(), lossWeights('fa-only', d)!, 2, 'pooled'))).toBeCloseTo(pooled, 6);
  });

  it('is plain CE without a teacher, whatever the weights', () => {
    const s = student();
    expect(value(defenseLoss(s, null, labels(), mask(), { ce: 1, kd: 5, fa: 5 }, 2, 'token'))).toBeCloseTo(value(crossEntropy(s.logits, labels())), 6);
  });

  it('reports each term unweighted, and no KD/FA without a teacher', () => {
    const s = student();
    const t = teacher();
    const terms = defenseTerms(s, t, labels(), mask(), 2, 'token');
    expect(value(terms.ce)).toBeCloseTo(value(crossEntropy(s.logits, labels())), 6);
    expect(value(terms.kd!)).toBeCloseTo(value(kdLoss(s.logits, t.logits, 2)), 6);
    expect(value(terms.fa!)).toBeCloseTo(value(tokenFeatureAlignmentLoss(t.feature, s.states, mask())), 6);
    const alone = defenseTerms(s, null, labels(), mask(), 2, 'token');
    expect(alone.kd).toBeNull();
    expect(alone.fa).toBeNull();
  });
});
