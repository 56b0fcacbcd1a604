import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { dropout, Linear } from './linear';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const randn = (shape: number[], rng: Rng) =>
  tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** A Linear with a LoRA adapter whose B is nonzero (a fresh B is zero, which would hide mistakes). */
function loraLinear(seed = 1): Linear {
  const rng = new Rng(seed);
  const lin = new Linear(6, 5, rng, 0.5);
  lin.attachLora({ rank: 3, alpha: 6, dropout: 0.1 }, rng.fork('lora'));
  const [, B] = lin.loraVariables();
  B!.assign(randn([3, 5], rng));
  return lin;
}

describe('Linear with LoRA', () => {
  it('a fresh adapter leaves the output unchanged (B = 0)', () => {
    const rng = new Rng(2);
    const lin = new Linear(4, 3, rng);
    const x = randn([5, 4], rng) as tf.Tensor2D;
    const before = lin.apply(x, false);
    lin.attachLora({ rank: 2, alpha: 4, dropout: 0 }, rng);
    expect(maxDiff(lin.apply(x, false), before)).toBe(0);
  });

  it('forward equals the dense layer with merged weight W + (alpha/r)·A·B', () => {
    const lin = loraLinear();
    const x = randn([7, 6], new Rng(3)) as tf.Tensor2D;
    const [A, B] = lin.loraVariables();
    const merged = tf.add(lin.W, tf.mul(tf.matMul(A!, B!), 6 / 3));
    const ref = tf.add(tf.matMul(x, merged), lin.b);
    expect(maxDiff(lin.apply(x, false), ref)).toBeLessThan(1e-5);
    expect(maxDiff(lin.mergedWeight(), merged)).toBeLessThan(1e-6);
  });

  it('inference folds the adapter (one product) and training keeps the factors: same values and gradients', () => {
    const rng = new Rng(8);
    const lin = new Linear(6, 5, rng, 0.5);
    lin.attachLora({ rank: 3, alpha: 6, dropout: 0 }, rng.fork('lora'));
    lin.loraVariables()[1]!.assign(randn([3, 5], rng));
    const x = randn([9, 6], new Rng(9)) as tf.Tensor2D; // 9·(6 + 5) > 6·5: inference takes the folded path
    const [A, B] = lin.loraVariables() as [tf.Variable, tf.Variable];
    expect(maxDiff(lin.apply(x, false), lin.apply(x, true))).toBeLessThan(1e-5);
    // Gradients through each path, by variableGrads (A, B) and grad (x).
    const viaVars = (training: boolean) => tf.variableGrads(() => tf.sum(tf.square(lin.apply(x, training))) as tf.Scalar, [A, B]).grads;
    const folded = viaVars(false);
    const factored = viaVars(true);
    expect(maxDiff(folded[A.name]!, factored[A.name]!)).toBeLessThan(1e-4);
    expect(maxDiff(folded[B.name]!, factored[B.name]!)).toBeLessThan(1e-4);
    const dx = (training: boolean) => tf.grad((xx: tf.Tensor) => tf.sum(tf.square(lin.apply(xx as tf.Tensor2D, training))))(x);
    expect(maxDiff(dx(false), dx(true))).toBeLessThan(1e-4);
  });

  it('rank-3 input [B, T, in] gives the 2-D result reshaped', () => {
    const lin = loraLinear();
    const x = randn([2, 3, 6], new Rng(4)) as tf.Tensor3D;
    const y = lin.apply(x, false);
    expect(y.shape).toEqual([2, 3, 5]);
    expect(maxDiff(tf.reshape(y, [6, 5]), lin.apply(tf.reshape(x, [6, 6]) as tf.Tensor2D, false))).toBe(0);
  });

  it('gradients reach only the adapter: W and b are excluded, not zero', () => {
    const lin = loraLinear();
    const x = randn([4, 6], new Rng(5)) as tf.Tensor2D;
    const loss = () => tf.sum(tf.square(lin.apply(x, false))) as tf.Scalar;
    const { grads } = tf.variableGrads(loss, lin.loraVariables());
    const names = Object.keys(grads).sort();
    expect(names).toEqual(lin.loraVariables().map((v) => v.name).sort());
    expect(names).not.toContain(lin.W.name);
    expect(names).not.toContain(lin.b.name);
    for (const g of Object.values(grads)) expect(tf.sum(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
    // W is frozen by exclusion: a gradient asked for it would be nonzero.
    const wGrad = tf.variableGrads(loss, [lin.W]).grads[lin.W.name]!;
    expect(tf.sum(tf.abs(wGrad)).dataSync()[0]).toBeGreaterThan(0);
  });

  it('merge folds the adapter in: same outputs, adapter gone and disposed', () => {
    const lin = loraLinear();
    const x = randn([4, 6], new Rng(6)) as tf.Tensor2D;
    const before = lin.apply(x, false);
    const [A, B] = lin.loraVariables();
    lin.merge();
    expect(lin.hasLora).toBe(false);
    expect(lin.loraVariables()).toEqual([]);
    expect(A!.isDisposed && B!.isDisposed).toBe(true);
    expect(maxDiff(lin.apply(x, false), before)).toBeLessThan(1e-5);
  });

  it('detachLora drops the adapter without changing W', () => {
    const rng = new Rng(7);
    const lin = new Linear(6, 5, rng);
    const x = randn([3, 6], rng) as tf.Tensor2D;
    const base = lin.apply(x, false);
    lin.attachLora({ rank: 2, alpha: 2, dropout: 0 }, rng);
    lin.loraVariables()[1]!.assign(randn([2, 5], rng));
    expect(maxDiff(lin.apply(x, false), base)).toBeGreaterThan(1e-3);
    lin.detachLora();
    expect(maxDiff(lin.apply(x, false), base)).toBe(0);
  });

  it('adapter dropout acts only in training', () => {
    const lin = loraLinear();
    const x = randn([8, 6], new Rng(8)) as tf.Tensor2D;
    expect(maxDiff(lin.apply(x, false), lin.apply(x, false))).toBe(0);
    expect(maxDiff(lin.apply(x, true), lin.apply(x, false))).toBeGreaterThan(1e-4);
  });
});

describe('dropout', () => {
  it('zeroes about `rate` of the elements and scales the rest by 1/(1 − rate)', () => {
    const x = tf.ones([100, 100]);
    const y = dropout(x, 0.25, new Rng(9)).dataSync();
    let zeros = 0;
    for (const v of y) {
      if (v === 0) zeros++;
      else expect(v).toBeCloseTo(1 / 0.75, 6);
    }
    expect(zeros / y.length).toBeGreaterThan(0.23);
    expect(zeros / y.length).toBeLessThan(0.27);
  });

  it('is repeatable from the same seed and the identity at rate 0', () => {
    const x = tf.ones([10, 10]);
    expect(maxDiff(dropout(x, 0.5, new Rng(1)), dropout(x, 0.5, new Rng(1)))).toBe(0);
    expect(dropout(x, 0, new Rng(1))).toBe(x);
  });
});
