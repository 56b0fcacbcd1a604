import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { StudentModel } from '../models/student';
import { Rng } from '../rng';
import { choosePruneCount, keepMask, meanFfnActivity, pruningOrder } from './fine-pruning';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('fine-pruning', () => {
  it('orders neurons from least to most active, ties by index', () => {
    expect(pruningOrder([0.5, 0.1, 0.9, 0.1])).toEqual([1, 3, 0, 2]);
    expect(Array.from(keepMask([1, 3, 0, 2], 2))).toEqual([1, 0, 1, 0]);
  });

  it('prunes in steps while dev accuracy stays within the allowed drop, never past the cap', async () => {
    const acc: Record<number, number> = { 0: 0.8, 2: 0.8, 4: 0.78, 6: 0.7, 8: 0.79 };
    expect(await choosePruneCount(async (n) => acc[n]!, 8, 2, 0.05)).toEqual({ count: 4, base: 0.8, devAcc: 0.78 });
    // The first step already costs too much: nothing is pruned.
    expect(await choosePruneCount(async (n) => (n === 0 ? 0.8 : 0.5), 8, 2, 0.05)).toEqual({ count: 0, base: 0.8, devAcc: 0.8 });
    // Accuracy that never drops stops at the cap.
    expect((await choosePruneCount(async () => 0.8, 6, 2, 0.05)).count).toBe(6);
  });

  it('measures mean activation over real tokens only, and a pruned neuron reads 0', async () => {
    const m = new StudentModel({ layers: 2, dModel: 8, heads: 2, dFF: 6 }, 20, 5, 2, 0, new Rng(4));
    const ids = tf.tensor2d([[2, 5, 6, 0, 0], [2, 7, 0, 0, 0]], [2, 5], 'int32');
    const activity = await meanFfnActivity(m, ids, 1);
    // By hand: the FFN activations of block 1 at the 5 real tokens, averaged.
    const expected = tf.tidy(() => {
      const taps = { ffn: [] as tf.Tensor2D[] };
      m.encoder.hidden(ids, false, taps);
      const rows = taps.ffn[1]!.arraySync() as number[][];
      const real = [0, 1, 2, 5, 6].map((r) => rows[r]!);
      return real[0]!.map((_, j) => real.reduce((s, row) => s + row[j]!, 0) / real.length);
    });
    activity.forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 5));
    m.encoder.setFfnMask(1, keepMask(pruningOrder(activity), 2));
    const pruned = await meanFfnActivity(m, ids, 1);
    for (const j of pruningOrder(activity).slice(0, 2)) expect(pruned[j]).toBe(0);
    ids.dispose();
    m.dispose();
  });

  it('bakes a mask into ff2 without changing any output, adapters merged', () => {
    const m = new StudentModel({ layers: 1, dModel: 8, heads: 2, dFF: 6 }, 20, 5, 2, 0, new Rng(5));
    const ids = tf.tensor2d([[2, 5, 6, 7, 0]], [1, 5], 'int32');
    m.encoder.setFfnMask(0, Float32Array.from([1, 0, 1, 0, 0, 1]));
    m.attachLora({ rank: 2, alpha: 2, dropout: 0, targets: ['ff1', 'ff2'] }, new Rng(6));
    // A non-zero adapter (B starts at 0): the merged model must still ignore the pruned neurons.
    for (const v of m.loraVariables()) v.assign(tf.randomNormal(v.shape, 0, 0.3, 'float32', 9));
    const masked = tf.tidy(() => m.classify(ids, false).logits.arraySync());
    m.mergeLora();
    m.encoder.bakeFfnMasks();
    const baked = tf.tidy(() => m.classify(ids, false).logits.arraySync());
    baked[0]!.forEach((v, j) => expect(v).toBeCloseTo(masked[0]![j]!, 5));
    const ff2 = m.encoder.blocks[0]!.ff2.W.arraySync() as number[][];
    for (const row of [1, 3, 4]) expect(ff2[row]!.every((x) => x === 0)).toBe(true);
    expect(() => {
      m.encoder.setFfnMask(0, Float32Array.from([1, 1, 1, 1, 1, 0]));
      m.attachLora({ rank: 2, alpha: 2, dropout: 0, targets: ['ff2'] }, new Rng(7));
      m.encoder.bakeFfnMasks();
    }).toThrow(/merge the adapters/);
    ids.dispose();
    m.dispose();
  });
});
