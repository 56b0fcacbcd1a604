import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { attentionMap, attentionTransferLoss } from './nad';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('NAD attention maps', () => {
  it('is the per-token mean of squared activations, padding zeroed, L2-normalised over tokens', () => {
    // B = 1, T = 3, d = 2; the third token is padding.
    const h = tf.tensor2d([[1, 1], [3, 1], [9, 9]]);
    const map = attentionMap(h, tf.tensor2d([[1, 1, 0]])).arraySync()[0]!;
    // energies 1 and 5 (and 0), norm √26
    expect(map[0]).toBeCloseTo(1 / Math.sqrt(26), 6);
    expect(map[1]).toBeCloseTo(5 / Math.sqrt(26), 6);
    expect(map[2]).toBe(0);
  });

  it('sums over layers the batch mean of the L2 distance between maps', () => {
    const s = [tf.tensor2d([[1, 0], [0, 1]]), tf.tensor2d([[0.6, 0.8], [1, 0]])];
    const t = [tf.tensor2d([[0, 1], [0, 1]]), tf.tensor2d([[0.6, 0.8], [0, 1]])];
    // layer 0: (√2 + 0)/2; layer 1: (0 + √2)/2
    expect(attentionTransferLoss(s, t).dataSync()[0]).toBeCloseTo(Math.SQRT2, 5);
    expect(attentionTransferLoss(t, t).dataSync()[0]).toBeCloseTo(0, 5);
    expect(() => attentionTransferLoss(s, t.slice(1))).toThrow(/2 student layers with 1/);
  });

  it('has a finite gradient that matches central finite differences', () => {
    const mask = tf.tensor2d([[1, 1, 1]]);
    const target = [attentionMap(tf.tensor2d([[0.2, 0.5], [1, -1], [0.3, 0.3]]), mask)];
    const f = (h: tf.Tensor2D) => attentionTransferLoss([attentionMap(h, mask)], target);
    const x = tf.tensor2d([[0.4, -0.2], [0.7, 0.1], [-0.5, 0.9]]);
    const grad = tf.grad((h: tf.Tensor) => f(h as tf.Tensor2D))(x).arraySync() as number[][];
    const base = x.arraySync() as number[][];
    const eps = 1e-3;
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 2; j++) {
        const at = (delta: number) => {
          const moved = base.map((r) => r.slice());
          moved[i]![j]! += delta;
          return f(tf.tensor2d(moved)).dataSync()[0]!;
        };
        expect(grad[i]![j]).toBeCloseTo((at(eps) - at(-eps)) / (2 * eps), 2);
      }
  });
});
