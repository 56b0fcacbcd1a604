import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy, crossEntropyComposite, featureAlignmentLoss, kdLoss, mlmLoss, stopGradient } from './losses';
import { countKernels } from '../models/kernel-count';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const value = (t: tf.Tensor) => t.dataSync()[0]!;

// Hand-computed fixtures (closed forms written out; float64).
const FIXTURES = {
  // logits [[0, 0], [ln 3, 0]], labels [0, 1]: −ln ½ and −ln ¼, averaged.
  ce: { logits: [[0, 0], [Math.log(3), 0]], labels: [0, 1], expected: (Math.log(2) + Math.log(4)) / 2 }, // 1.0397208
  // s = [0, 0] (p_s = ½, ½); t = [ln 3, 0] (p_t = ¾, ¼ at T = 1).
  kdT1: { s: [[0, 0]], t: [[Math.log(3), 0]], T: 1, expected: 0.75 * Math.log(1.5) + 0.25 * Math.log(0.5) }, // 0.1308120
  // At T = 2, p_t = (√3, 1)/(√3 + 1); times T² = 4.
  kdT2: {
    s: [[0, 0]],
    t: [[Math.log(3), 0]],
    T: 2,
    expected: (() => {
      const a = Math.sqrt(3) / (Math.sqrt(3) + 1);
      const b = 1 / (Math.sqrt(3) + 1);
      return 4 * (a * Math.log(2 * a) + b * Math.log(2 * b));
    })(), // 0.1454413
  },
  // squared differences 1, 4, 0, 4 over B·d = 4 elements.
  fa: { t: [[1, 2], [0, 0]], s: [[0, 0], [0, 2]], expected: 9 / 4 },
};

/** float64 reference of KD for arbitrary inputs. */
function kdReference(s: number[][], t: number[][], T: number): number {
  const softmax = (z: number[]) => {
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v / T - m / T));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  };
  let total = 0;
  s.forEach((row, b) => {
    const ps = softmax(row);
    const pt = softmax(t[b]!);
    total += pt.reduce((acc, p, i) => acc + p * Math.log(p / ps[i]!), 0);
  });
  return (T * T * total) / s.length;
}

function finiteDiff(f: (x: tf.Tensor2D) => tf.Scalar, x: tf.Tensor2D, index: number, h = 1e-2): number {
  const base = x.dataSync();
  const at = (d: number) => {
    const moved = Float32Array.from(base);
    moved[index]! += d;
    return value(f(tf.tensor2d(moved, x.shape)));
  };
  return (at(h) - at(-h)) / (2 * h);
}

describe('losses: hand-computed values', () => {
  it('crossEntropy and mlmLoss', () => {
    const { logits, labels, expected } = FIXTURES.ce;
    expect(value(crossEntropy(tf.tensor2d(logits), tf.tensor1d(labels, 'int32')))).toBeCloseTo(expected, 5);
    expect(value(mlmLoss(tf.tensor2d(logits), tf.tensor1d(labels, 'int32')))).toBeCloseTo(expected, 5);
  });

  it('kdLoss = T²·KL(p_t ‖ p_s), batch mean', () => {
    for (const { s, t, T, expected } of [FIXTURES.kdT1, FIXTURES.kdT2]) {
      expect(value(kdLoss(tf.tensor2d(s), tf.tensor2d(t), T))).toBeCloseTo(expected, 5);
    }
    const s = [[0.3, -1.2, 2], [1, 0.5, -0.5], [-2, 0, 1]];
    const t = [[1, 0, -1], [0.2, 0.2, 3], [0, -1, 0.5]];
    expect(value(kdLoss(tf.tensor2d(s), tf.tensor2d(t), 2))).toBeCloseTo(kdReference(s, t, 2), 5);
    expect(value(kdLoss(tf.tensor2d(t), tf.tensor2d(t), 3))).toBeCloseTo(0, 6);
  });

  it('featureAlignmentLoss = mean over batch of ‖t − s‖² / d (MSE)', () => {
    const { t, s, expected } = FIXTURES.fa;
    expect(value(featureAlignmentLoss(tf.tensor2d(t), tf.tensor2d(s)))).toBeCloseTo(expected, 6);
  });
});

describe('losses: gradients', () => {
  const s = tf.tensor2d([[0.3, -1.2, 2], [1, 0.5, -0.5]]);
  const t = tf.tensor2d([[1, 0, -1], [0.2, 0.2, 3]]);

  it('kdLoss: gradient = T·(p_s − p_t)/B, matches finite differences, none reaches the teacher', () => {
    const T = 2;
    const [gs, gt] = tf.grads((a: tf.Tensor, b: tf.Tensor) => kdLoss(a as tf.Tensor2D, b as tf.Tensor2D, T))([s, t]);
    const analytic = tf.div(tf.mul(tf.sub(tf.softmax(tf.div(s, T)), tf.softmax(tf.div(t, T))), T), 2);
    expect(tf.max(tf.abs(tf.sub(gs!, analytic))).dataSync()[0]).toBeLessThan(1e-5);
    for (const i of [0, 2, 4]) {
      expect(Math.abs(finiteDiff((x) => kdLoss(x, t, T), s, i) - gs!.dataSync()[i]!)).toBeLessThan(2e-3);
    }
    expect(Array.from(gt!.dataSync()).every((v) => v === 0)).toBe(true);
  });

  it('featureAlignmentLoss: gradient 2(s − t)/(B·d), matches finite differences, none reaches the teacher', () => {
    const [gt, gs] = tf.grads((a: tf.Tensor, b: tf.Tensor) => featureAlignmentLoss(a as tf.Tensor2D, b as tf.Tensor2D))([t, s]);
    const analytic = tf.div(tf.mul(tf.sub(s, t), 2), 6);
    expect(tf.max(tf.abs(tf.sub(gs!, analytic))).dataSync()[0]).toBeLessThan(1e-6);
    for (const i of [1, 3, 5]) {
      expect(Math.abs(finiteDiff((x) => featureAlignmentLoss(t, x), s, i) - gs!.dataSync()[i]!)).toBeLessThan(2e-3);
    }
    expect(Array.from(gt!.dataSync()).every((v) => v === 0)).toBe(true);
  });

  it('crossEntropy: gradient (softmax − onehot)/B', () => {
    const labels = tf.tensor1d([2, 0], 'int32');
    const g = tf.grad((x: tf.Tensor) => crossEntropy(x as tf.Tensor2D, labels))(s);
    const analytic = tf.div(tf.sub(tf.softmax(s), tf.oneHot(labels, 3)), 2);
    expect(tf.max(tf.abs(tf.sub(g, analytic))).dataSync()[0]).toBeLessThan(1e-6);
  });

  it('crossEntropy as one op: the composite’s value and gradient, finite differences, fewer kernels', async () => {
    const labels = tf.tensor1d([2, 0], 'int32');
    const ours = tf.grad((x: tf.Tensor) => crossEntropy(x as tf.Tensor2D, labels))(s);
    const ref = tf.grad((x: tf.Tensor) => crossEntropyComposite(x as tf.Tensor2D, labels))(s);
    expect(value(crossEntropy(s, labels))).toBeCloseTo(value(crossEntropyComposite(s, labels)), 6);
    expect(tf.max(tf.abs(tf.sub(ours, ref))).dataSync()[0]).toBeLessThan(1e-6);
    for (const i of [0, 2, 4]) {
      expect(Math.abs(finiteDiff((x) => crossEntropy(x, labels), s, i) - ours.dataSync()[i]!)).toBeLessThan(2e-3);
    }
    const count = async (f: typeof crossEntropy) => (await countKernels(() => tf.grad((x: tf.Tensor) => f(x as tf.Tensor2D, labels))(s))).total;
    expect(await count(crossEntropy)).toBeLessThan(await count(crossEntropyComposite));
  });

  it('stopGradient is the identity forward', () => {
    expect(Array.from(stopGradient(s).dataSync())).toEqual(Array.from(s.dataSync()));
  });

  it('leaks no tensors', () => {
    const labels = tf.tensor1d([2, 0], 'int32');
    const before = tf.memory().numTensors;
    // No tf.tidy around it (a tidy would free leaks itself): only the gradient and the value remain.
    const { value: total, grads } = tf.valueAndGrads((a: tf.Tensor) =>
      tf.addN([crossEntropy(a as tf.Tensor2D, labels), kdLoss(a as tf.Tensor2D, t, 2), featureAlignmentLoss(t, a as tf.Tensor2D)]) as tf.Scalar,
    )([s]);
    expect(tf.memory().numTensors).toBe(before + 1 + grads.length);
    tf.dispose([total, ...grads]);
    const l = kdLoss(s, t, 2);
    l.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
