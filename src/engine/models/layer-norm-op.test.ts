/**
 * The LayerNorm op with its closed-form backward against the composite it replaced: the same values and
 * gradients (x, γ, β), gradients by central finite differences, no leaked tensors, fewer kernels.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { countKernels } from './kernel-count';
import { layerNorm, layerNormComposite } from './layer-norm-op';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const EPS = 1e-5;
const X = [[0.3, -1.2, 2.0, 0.7, -0.4], [1.5, 1.4, -2.2, 0.1, 0.0], [-0.6, 0.2, 0.9, -1.7, 3.1]];
const GAMMA = [1.1, 0.6, -0.8, 1.4, 0.9];
const BETA = [0.05, -0.2, 0.3, 0.0, 0.1];
/** Weights of the scalar loss Σ w·y, so each output element's gradient differs. */
const W = [[0.4, -1.0, 0.7, 0.2, -0.3], [1.2, 0.1, -0.5, 0.9, 0.6], [-0.7, 0.8, 0.3, -1.1, 0.5]];

type LN = typeof layerNorm;
const lossOf = (f: LN) => (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D, EPS), tf.tensor2d(W)));

function gradsOf(f: LN): number[][] {
  return tf.tidy(() => tf.grads(lossOf(f))([tf.tensor2d(X), tf.tensor1d(GAMMA), tf.tensor1d(BETA)]).map((t) => Array.from(t.dataSync())));
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => Array.from(a).forEach((v, i) => expect(Math.abs(v - b[i]!), `element ${i}: ${v} vs ${b[i]}`).toBeLessThan(tol));

describe('layerNorm (custom gradient)', () => {
  it('computes what the composite computes: zero mean, unit variance per row before γ and β', () => {
    const [ours, ref, plain] = tf.tidy(() => [
      layerNorm(tf.tensor2d(X), tf.tensor1d(GAMMA), tf.tensor1d(BETA), EPS).arraySync(),
      layerNormComposite(tf.tensor2d(X), tf.tensor1d(GAMMA), tf.tensor1d(BETA), EPS).arraySync(),
      layerNorm(tf.tensor2d(X), tf.ones([5]) as tf.Tensor1D, tf.zeros([5]) as tf.Tensor1D, EPS).arraySync(),
    ]);
    close(ours.flat(), ref.flat(), 1e-6);
    for (const row of plain) {
      const mean = row.reduce((a, b) => a + b, 0) / row.length;
      const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / row.length;
      expect(Math.abs(mean)).toBeLessThan(1e-6);
      expect(variance).toBeCloseTo(1, 4);
    }
  });

  it('has the composite’s gradients wrt x, γ and β', () => {
    const [ours, ref] = [gradsOf(layerNorm), gradsOf(layerNormComposite)];
    for (let k = 0; k < 3; k++) close(ours[k]!, ref[k]!, 1e-5);
  });

  it('has gradients that match central finite differences', () => {
    const analytic = gradsOf(layerNorm);
    const inputs = [X.flat(), GAMMA, BETA];
    const shapes: number[][] = [[3, 5], [5], [5]];
    const h = 1e-2;
    const loss = (vals: number[][]) =>
      tf.tidy(() => lossOf(layerNorm)(tf.tensor(vals[0]!, shapes[0]), tf.tensor(vals[1]!, shapes[1]), tf.tensor(vals[2]!, shapes[2])).dataSync()[0]!);
    for (let k = 0; k < 3; k++) {
      const numeric = inputs[k]!.map((_, i) => {
        const plus = inputs.map((v) => v.slice());
        const minus = inputs.map((v) => v.slice());
        plus[k]![i]! += h;
        minus[k]![i]! -= h;
        return (loss(plus) - loss(minus)) / (2 * h);
      });
      close(analytic[k]!, numeric, 5e-3);
    }
  });

  it('leaks nothing through a training-style gradient, and launches fewer kernels than the composite', async () => {
    const x = tf.variable(tf.tensor2d(X));
    const g = tf.variable(tf.tensor1d(GAMMA));
    const b = tf.variable(tf.tensor1d(BETA));
    const w = tf.tensor2d(W);
    const before = tf.memory().numTensors;
    const step = (f: LN) => () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(f(x as unknown as tf.Tensor2D, g as unknown as tf.Tensor1D, b as unknown as tf.Tensor1D, EPS), w)), [x, g, b]);
      return [value, ...Object.values(grads)];
    };
    tf.dispose(step(layerNorm)());
    expect(tf.memory().numTensors).toBe(before);
    const [ours, ref] = [await countKernels(step(layerNorm)), await countKernels(step(layerNormComposite))];
    expect(ours.total).toBeLessThan(ref.total * 0.75);
    tf.dispose([x, g, b, w]);
  });
});
