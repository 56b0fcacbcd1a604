/**
 * The fused AdamW kernel of the CPU and WASM backends against the composite `adamwUpdate` it replaces:
 * same values to float32 rounding, with and without decay and a gradient scale, on both backends, and
 * one kernel launch per variable instead of a dozen.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { countKernels } from '../models/kernel-count';
import { registerHostAdamW } from './adamw-host-kernels';
import { ADAMW_KERNEL, adamwUpdate, sumOfSquares, type AdamWAttrs } from './optimizer';

afterAll(async () => {
  await tf.setBackend('cpu');
});

/** Deterministic values in about [−1, 1] (v non-negative, as second moments are). */
function values(n: number, seed: number, nonNegative = false): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const x = (s / 2 ** 31) * 2 - 1;
    return nonNegative ? x * x : x;
  });
}

const CASES: { name: string; attrs: AdamWAttrs; scale?: number }[] = [
  { name: 'decayed weight, clipped gradient', attrs: { beta1: 0.9, beta2: 0.999, lrT: 3e-3, epsT: 1e-8, decay: 1 - 3e-3 * 0.01 }, scale: 0.37 },
  { name: 'no decay, no scale', attrs: { beta1: 0.9, beta2: 0.999, lrT: 1e-2, epsT: 3e-8, decay: 1 } },
  { name: 'first step (bias corrections folded in)', attrs: { beta1: 0.9, beta2: 0.98, lrT: (1e-3 * Math.sqrt(1 - 0.98)) / (1 - 0.9), epsT: 1e-8 * Math.sqrt(0.02), decay: 0.999 }, scale: 1 },
];

describe.each(['cpu', 'wasm'])('the fused AdamW kernel on %s', (backend) => {
  it.each(CASES)('equals the composite update: $name', async ({ attrs, scale }) => {
    await tf.setBackend(backend);
    registerHostAdamW();
    const shape = [37, 19];
    const n = 37 * 19;
    const inputs = {
      p: tf.tensor2d(values(n, 1), shape as [number, number]),
      m: tf.tensor2d(values(n, 2), shape as [number, number]),
      v: tf.tensor2d(values(n, 3, true), shape as [number, number]),
      g: tf.tensor2d(values(n, 4), shape as [number, number]),
      ...(scale !== undefined ? { scale: tf.scalar(scale) } : {}),
    };
    const fused = tf.engine().runKernel(ADAMW_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    const composite = adamwUpdate(inputs as typeof inputs & { scale?: tf.Scalar }, attrs);
    for (const [i, what] of ['p', 'm', 'v'].entries()) {
      expect(fused[i]!.shape, what).toEqual(shape);
      const [a, b] = [fused[i]!.dataSync(), composite[i]!.dataSync()];
      // A few float32 roundings apart at most: 2e-6 relative, plus 1e-8 absolute for values near zero.
      let worst = 0;
      for (let k = 0; k < n; k++) worst = Math.max(worst, Math.abs(a[k]! - b[k]!) / (1e-8 / 2e-6 + Math.abs(b[k]!)));
      expect(worst, `${what}: largest relative difference`).toBeLessThan(2e-6);
    }
    tf.dispose([...Object.values(inputs), ...fused, ...composite]);
  });

  it('is one launch per variable; the composite is a dozen', async () => {
    await tf.setBackend(backend);
    registerHostAdamW();
    const inputs = { p: tf.ones([4, 4]), m: tf.zeros([4, 4]), v: tf.zeros([4, 4]), g: tf.ones([4, 4]), scale: tf.scalar(0.5) };
    const attrs = CASES[0]!.attrs;
    const fused = await countKernels(() => tf.engine().runKernel(ADAMW_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[]);
    const composite = await countKernels(() => adamwUpdate(inputs, attrs));
    expect(fused.total).toBe(1);
    expect(composite.total).toBeGreaterThanOrEqual(12);
    tf.dispose(Object.values(inputs));
  });

  it('sums the squares of every gradient in one launch, as the composite does', async () => {
    await tf.setBackend(backend);
    registerHostAdamW();
    const grads = [tf.tensor2d(values(37 * 19, 5), [37, 19]), tf.tensor1d(values(11, 6)), tf.scalar(-3)];
    const ours = sumOfSquares(grads);
    const reference = grads.reduce((sum, g) => sum + Array.from(g.dataSync()).reduce((a, x) => a + x * x, 0), 0);
    expect(ours.dataSync()[0]).toBeCloseTo(reference, 4);
    expect((await countKernels(() => sumOfSquares(grads))).total).toBe(1);
    tf.dispose([...grads, ours]);
  });
});
