/**
 * The seeded dropout kernel: the host mask bit for bit on CPU and WASM, the expected keep rate, masks
 * that differ per seed and repeat per seed, a gradient equal to the mask, and one launch each way with
 * nothing saved for the backward pass.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { countKernels } from '../models/kernel-count';
import { Rng } from '../rng';
import { DROPOUT_KERNEL, dropout, dropoutMask, dropThreshold, lowbias32 } from './dropout';

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('lowbias32', () => {
  it('equals the hash computed in exact integer arithmetic (BigInt mod 2³², what WGSL u32 does)', () => {
    const M = 2n ** 32n;
    const reference = (v: number) => {
      let x = BigInt(v >>> 0);
      x ^= x >> 16n;
      x = (x * 0x7feb352dn) % M;
      x ^= x >> 15n;
      x = (x * 0x846ca68bn) % M;
      x ^= x >> 16n;
      return Number(x);
    };
    for (const v of [0, 1, 2, 12345, 0x7fffffff, 0x80000000, 0xffffffff, 0x9e3779b9]) expect(lowbias32(v)).toBe(reference(v));
    expect(lowbias32(-1)).toBe(lowbias32(0xffffffff));
  });

  it('thresholds are rate·2³², kept within u32', () => {
    expect(dropThreshold(0.5)).toBe(2 ** 31);
    expect(dropThreshold(0)).toBe(0);
    expect(dropThreshold(0.9999999999999)).toBe(0xffffffff);
  });
});

describe.each(['cpu', 'wasm'])('the dropout kernel on %s', (backend) => {
  it('applies the host mask bit for bit, keeps about 1 − rate, and scales by 1/(1 − rate)', async () => {
    await tf.setBackend(backend);
    const x = tf.fill([64, 50], 2);
    const attrs = { rate: 0.25, seed: 12345 };
    const y = tf.engine().runKernel(DROPOUT_KERNEL, { x }, attrs) as tf.Tensor;
    const values = await y.data();
    const mask = dropoutMask([64, 50], attrs);
    expect(Array.from(values)).toEqual(Array.from(mask, (m) => Math.fround(2 * m)));
    const kept = mask.filter((m) => m > 0).length / mask.length;
    // 3,200 draws of a full-avalanche hash: the kept share sits within 0.03 of 0.75 for any seed.
    expect(Math.abs(kept - 0.75)).toBeLessThan(0.03);
    expect(new Set(Array.from(values)).size).toBe(2); // 0 and 2/0.75
    tf.dispose([x, y]);
  });

  it('backward is the same mask, one kernel each way, nothing uploaded or saved', async () => {
    await tf.setBackend(backend);
    const rng = new Rng(4);
    const x = tf.randomNormal([20, 30], 0, 1, 'float32', 3);
    const w = tf.randomNormal([20, 30], 0, 1, 'float32', 5);
    const seeded = () => new Rng(4);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(dropout(t, 0.4, seeded()), w)))(x);
    const mask = tf.div(dropout(tf.onesLike(x), 0.4, seeded()), 1);
    const expected = await tf.mul(mask, w).data();
    Array.from(await g.data()).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    const census = await countKernels(() => tf.grad((t: tf.Tensor) => tf.sum(dropout(t, 0.4, rng)))(x));
    const without = await countKernels(() => tf.grad((t: tf.Tensor) => tf.sum(t))(x));
    // Dropout adds exactly its two launches (forward, backward): no mask upload, no saved copy.
    expect(census.total - without.total).toBe(2);
    expect(census.byName.find(([k]) => k === DROPOUT_KERNEL)?.[1]).toBe(2);
    tf.dispose([x, w, g, mask]);
  });
});

describe('dropout masks across backends and seeds', () => {
  it('CPU and WASM draw the same mask; another seed draws another; rate 0 is the identity', async () => {
    const run = async (backend: string, seed: number) => {
      await tf.setBackend(backend);
      const x = tf.ones([33, 17]);
      const out = Array.from(await dropout(x, 0.5, new Rng(seed)).data());
      x.dispose();
      return out;
    };
    const [cpu, wasm, other] = [await run('cpu', 1), await run('wasm', 1), await run('cpu', 2)];
    expect(wasm).toEqual(cpu);
    expect(other).not.toEqual(cpu);
    const x = tf.ones([3]);
    expect(dropout(x, 0, new Rng(1))).toBe(x);
    x.dispose();
  });
});
