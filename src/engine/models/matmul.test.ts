import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { gatherRows, linear, matMul } from './matmul';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randn(shape: number[], rng: Rng): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rng.normal()), shape);
}

function expectClose(a: tf.Tensor, b: tf.Tensor, tol = 1e-5): void {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!) / (1 + Math.abs(y[i]!)));
  expect(worst).toBeLessThan(tol);
}

/** Kernel names a function runs (forward and backward). */
async function kernels(fn: () => tf.TensorContainer): Promise<string[]> {
  const info = await tf.profile(() => {
    const out = fn();
    return out;
  });
  return info.kernels.map((k) => k.name);
}

describe('matMul (custom gradient)', () => {
  it('2-D forward and gradients match tf.matMul', () => {
    const rng = new Rng(1);
    const a = randn([5, 4], rng) as tf.Tensor2D;
    const b = randn([4, 3], rng) as tf.Tensor2D;
    const w = randn([5, 3], rng); // a fixed cotangent: loss = Σ w ⊙ (a·b)
    expectClose(matMul(a, b), tf.matMul(a, b));
    const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(w, matMul(x as tf.Tensor2D, y as tf.Tensor2D))))([a, b]);
    const ref = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(w, tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D))))([a, b]);
    expectClose(ours[0]!, ref[0]!);
    expectClose(ours[1]!, ref[1]!);
  });

  it('3-D batched forward and gradients match tf.matMul', () => {
    const rng = new Rng(2);
    const a = randn([3, 5, 4], rng) as tf.Tensor3D;
    const b = randn([3, 4, 6], rng) as tf.Tensor3D;
    const w = randn([3, 5, 6], rng);
    expectClose(matMul(a, b), tf.matMul(a, b));
    const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(w, matMul(x as tf.Tensor3D, y as tf.Tensor3D))))([a, b]);
    const ref = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(w, tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D))))([a, b]);
    expectClose(ours[0]!, ref[0]!);
    expectClose(ours[1]!, ref[1]!);
  });

  it('passes a central finite-difference check (float32)', () => {
    const rng = new Rng(3);
    const a = randn([3, 4], rng) as tf.Tensor2D;
    const b = randn([4, 2], rng) as tf.Tensor2D;
    const f = (x: tf.Tensor2D) => tf.sum(tf.square(matMul(x, b)));
    const g = tf.grad((x: tf.Tensor) => f(x as tf.Tensor2D))(a).dataSync();
    const base = a.dataSync();
    const h = 1e-2;
    for (const i of [0, 5, 11]) {
      const plus = Float32Array.from(base);
      const minus = Float32Array.from(base);
      plus[i]! += h;
      minus[i]! -= h;
      const fd = (f(tf.tensor2d(plus, [3, 4])).dataSync()[0]! - f(tf.tensor2d(minus, [3, 4])).dataSync()[0]!) / (2 * h);
      expect(Math.abs(fd - g[i]!)).toBeLessThan(1e-2 * (1 + Math.abs(g[i]!)));
    }
  });

  it('never runs a transposed matmul, and skips dB when B is not differentiated', async () => {
    const rng = new Rng(4);
    const a = randn([6, 4], rng) as tf.Tensor2D;
    const b = randn([4, 3], rng) as tf.Tensor2D;
    const both = await kernels(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(matMul(x as tf.Tensor2D, y as tf.Tensor2D)))([a, b]));
    const onlyA = await kernels(() => tf.grad((x: tf.Tensor) => tf.sum(matMul(x as tf.Tensor2D, b)))(a));
    const matmuls = (names: string[]) => names.filter((n) => n === 'BatchMatMul' || n === 'W2SMatMul').length;
    expect(matmuls(both)).toBe(3); // forward + dA + dB
    expect(matmuls(onlyA)).toBe(2); // forward + dA: the frozen operand's gradient is never computed
  });
});

describe('linear (fused bias, custom gradient)', () => {
  it('forward and gradients match x·W + b', () => {
    const rng = new Rng(5);
    const x = randn([7, 4], rng) as tf.Tensor2D;
    const w = randn([4, 3], rng) as tf.Tensor2D;
    const b = randn([3], rng) as tf.Tensor1D;
    const c = randn([7, 3], rng);
    expectClose(linear(x, w, b), tf.add(tf.matMul(x, w), b));
    const f = (ours: boolean) => (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.mul(c, ours ? linear(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D) : tf.add(tf.matMul(xx as tf.Tensor2D, ww as tf.Tensor2D), bb)));
    const g1 = tf.grads(f(true))([x, w, b]);
    const g2 = tf.grads(f(false))([x, w, b]);
    for (let i = 0; i < 3; i++) expectClose(g1[i]!, g2[i]!);
  });
});

describe('gatherRows (dense scatter gradient)', () => {
  it('forward equals tf.gather; gradient sums duplicate ids', () => {
    const table = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
    const ids = tf.tensor1d([2, 0, 2, 2], 'int32');
    expectClose(gatherRows(table, ids), tf.gather(table, ids));
    const dy = tf.tensor2d([[1, 1], [2, 2], [3, 3], [4, 4]]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(dy, gatherRows(t as tf.Tensor2D, ids))))(table);
    expect(Array.from(g.dataSync())).toEqual([2, 2, 0, 0, 8, 8, 0, 0]);
  });
});
