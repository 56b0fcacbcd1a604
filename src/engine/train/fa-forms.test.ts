import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { officialFeatureAlignmentLoss, tokenFeatureAlignmentLoss } from './losses';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const value = (t: tf.Tensor) => t.dataSync()[0]!;

// Two sentences, T = 3, d = 2. Sentence 0 has 2 real tokens, sentence 1 has 1 (then padding).
const TEACHER = [
  [1, 0],
  [0, 2],
];
const STATES = [
  [[1, 1], [3, 0], [100, 100]], // third position is padding: must not count
  [[0, 0], [50, -50], [7, 7]], // second and third are padding
];
const MASK = [
  [1, 1, 0],
  [1, 0, 0],
];

describe('per-token feature alignment', () => {
  it('matches the hand-computed value and ignores padding', () => {
    // Sentence 0: token 0 ‖(1,1)−(1,0)‖² = 1, token 1 ‖(3,0)−(1,0)‖² = 4 → (1 + 4) / 2 = 5/2.
    // Sentence 1: token 0 ‖(0,0)−(0,2)‖² = 4 → 4 / 1 = 4.  Mean over sentences: (5/2 + 4) / 2 = 13/4.
    const loss = tokenFeatureAlignmentLoss(tf.tensor2d(TEACHER), tf.tensor3d(STATES), tf.tensor2d(MASK));
    expect(value(loss)).toBeCloseTo(13 / 4, 6);
  });

  it('does not change when padded positions change', () => {
    const moved = STATES.map((s) => s.map((tok) => tok.map((x) => x)));
    moved[0]![2] = [-9, 9];
    moved[1]![1] = [0.5, 123];
    const a = value(tokenFeatureAlignmentLoss(tf.tensor2d(TEACHER), tf.tensor3d(STATES), tf.tensor2d(MASK)));
    const b = value(tokenFeatureAlignmentLoss(tf.tensor2d(TEACHER), tf.tensor3d(moved), tf.tensor2d(MASK)));
    expect(b).toBe(a);
  });

  it('has the finite-difference gradient at real tokens, zero at padding, none into the teacher', () => {
    const t = tf.tensor2d(TEACHER);
    const m = tf.tensor2d(MASK);
    const f = (s: tf.Tensor3D) => tokenFeatureAlignmentLoss(t, s, m);
    const s0 = tf.tensor3d(STATES);
    const grad = tf.grad((s: tf.Tensor) => f(s as tf.Tensor3D))(s0).dataSync();
    const base = s0.dataSync();
    const h = 1e-2;
    for (let i = 0; i < base.length; i++) {
      const at = (d: number) => {
        const moved = Float32Array.from(base);
        moved[i]! += d;
        return value(f(tf.tensor3d(moved, s0.shape)));
      };
      expect(grad[i]!).toBeCloseTo((at(h) - at(-h)) / (2 * h), 2);
    }
    // padding positions: flat indices of [0,2,*] and [1,1,*], [1,2,*]
    for (const i of [4, 5, 8, 9, 10, 11]) expect(Math.abs(grad[i]!)).toBe(0); // abs: a zero may be −0
    const teacherGrad = tf.grad((x: tf.Tensor) => tokenFeatureAlignmentLoss(x as tf.Tensor2D, s0, m))(t).dataSync();
    expect(Array.from(teacherGrad, Math.abs)).toEqual([0, 0, 0, 0]);
  });
});

describe('official feature alignment (read literally)', () => {
  it('pulls every position of every sentence, padding included, toward the last sentence feature', () => {
    // Target (0, 2) everywhere: the sum of squared differences over all 12 elements, divided by 12.
    let total = 0;
    for (const s of STATES) for (const tok of s) total += (tok[0]! - 0) ** 2 + (tok[1]! - 2) ** 2;
    const loss = officialFeatureAlignmentLoss(tf.tensor2d(TEACHER), tf.tensor3d(STATES));
    expect(value(loss)).toBeCloseTo(total / 12, 3);
  });

  it('ignores every teacher feature but the last', () => {
    const other = [
      [42, -42],
      [0, 2],
    ];
    const a = value(officialFeatureAlignmentLoss(tf.tensor2d(TEACHER), tf.tensor3d(STATES)));
    const b = value(officialFeatureAlignmentLoss(tf.tensor2d(other), tf.tensor3d(STATES)));
    expect(b).toBe(a);
  });
});
