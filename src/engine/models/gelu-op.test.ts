/** The GELU op against its composite form: values, gradients, finite differences, fewer kernels. */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { gelu, geluComposite } from './gelu-op';
import { countKernels } from './kernel-count';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const X = [-3.2, -1.5, -0.7, -0.1, 0, 0.05, 0.4, 1.0, 2.3, 4.1];
const W = [0.3, -1.1, 0.8, 1.4, -0.2, 0.9, -0.6, 0.5, 1.2, -0.4];
const loss = (f: typeof gelu) => (x: tf.Tensor) => tf.sum(tf.mul(f(x), tf.tensor1d(W)));

describe('gelu (custom gradient)', () => {
  it('computes x·Φ(x): the composite’s values and known points', () => {
    const [ours, ref] = tf.tidy(() => [gelu(tf.tensor1d(X)).arraySync() as number[], geluComposite(tf.tensor1d(X)).arraySync() as number[]]);
    ours.forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 6));
    expect(ours[4]).toBe(0);
    expect(ours[7]).toBeCloseTo(0.841345, 5); // Φ(1) = 0.841345
  });

  it('has the composite’s gradient and the finite differences’', () => {
    const [ours, ref] = tf.tidy(() => [tf.grad(loss(gelu))(tf.tensor1d(X)).arraySync() as number[], tf.grad(loss(geluComposite))(tf.tensor1d(X)).arraySync() as number[]]);
    ours.forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 5));
    const h = 1e-2;
    const f = (xs: number[]) => tf.tidy(() => loss(gelu)(tf.tensor1d(xs)).dataSync()[0]!);
    X.forEach((_, i) => {
      const plus = X.slice();
      const minus = X.slice();
      plus[i]! += h;
      minus[i]! -= h;
      expect(ours[i]!).toBeCloseTo((f(plus) - f(minus)) / (2 * h), 3);
    });
  });

  it('leaks nothing and runs fewer kernels forward and backward than the composite', async () => {
    const x = tf.variable(tf.tensor1d(X));
    const w = tf.tensor1d(W);
    const step = (f: typeof gelu) => () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(f(x), w)), [x]);
      return [value, ...Object.values(grads)];
    };
    const before = tf.memory().numTensors;
    tf.dispose(step(gelu)());
    expect(tf.memory().numTensors).toBe(before);
    const [ours, ref] = [await countKernels(step(gelu)), await countKernels(step(geluComposite))];
    expect(ours.total).toBeLessThan(ref.total);
    tf.dispose([x, w]);
  });
});
