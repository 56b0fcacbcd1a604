/**
 * RowAdamW against dense AdamW: identical when every row is in every batch; a row's lazy decay equals
 * decaying it every step; absent rows' moments rest; frozen rows stay bit for bit.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planTokens } from '../models/token-plan';
import { Rng } from '../rng';
import { AdamW } from './optimizer';
import { ROW_ADAMW_KERNEL, RowAdamW, rowAdamWComposite } from './row-adamw';
import type { AdamWAttrs } from './optimizer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(['cpu', 'wasm'])('the row AdamW kernel on %s', (backend) => {
  it('equals the composite (gather, AdamW, scatter back) and leaves its inputs alone', async () => {
    await tf.setBackend(backend);
    const rng = new Rng(9);
    const rand = (shape: number[], positive = false) =>
      tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (positive ? rng.next() : rng.normal())), shape);
    const inputs = { p: rand([9, 4]), m: rand([9, 4]), v: rand([9, 4], true), rows: rand([3, 4]), g: rand([3, 4]), index: tf.tensor1d([6, 0, 4], 'int32'), scale: tf.scalar(0.7) };
    const attrs: AdamWAttrs = { beta1: 0.9, beta2: 0.99, lrT: 0.05, epsT: 1e-8, decay: 0.98 };
    const before = await inputs.p.data();
    const ours = tf.engine().runKernel(ROW_ADAMW_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    expect(Array.from(await inputs.p.data())).toEqual(Array.from(before));
    const theirs = rowAdamWComposite(inputs, attrs);
    for (const [k, t] of ours.entries()) {
      const [a, b] = [await t.data(), await theirs[k]!.data()];
      a.forEach((x, i) => expect(x).toBeCloseTo(b[i]!, 6));
    }
    tf.dispose([...Object.values(inputs), ...ours, ...theirs]);
    await tf.setBackend('cpu');
  });
});

const [V, d] = [12, 5];
const WD = 0.1; // large, so decay shows within a few steps

function table(rng: Rng): tf.Variable {
  return tf.variable(tf.tensor2d(Float32Array.from({ length: V * d }, () => rng.normal()), [V, d]));
}

/** One sparse step on batch `ids` with gradient rows `g(u)` (u: index among the distinct ids). */
function sparseStep(opt: RowAdamW, ids: number[], g: (row: number) => number[], lr: number): void {
  const plan = planTokens(Int32Array.from(ids));
  const rows = opt.currentRows(plan);
  const grad = tf.tensor2d(Array.from(plan.unique, g), [plan.unique.length, d]);
  opt.step(plan, rows, grad, lr);
  tf.dispose([rows, grad]);
}

const gradOf = (step: number) => (row: number) => Array.from({ length: d }, (_, j) => Math.sin(1 + row * 7 + j * 3 + step * 11));

describe('RowAdamW', () => {
  it('equals dense AdamW when every row is in every batch (decay, moments, bias corrections)', async () => {
    const rng = new Rng(1);
    const a = table(rng);
    const b = tf.variable(a.clone());
    const dense = new AdamW([a], { weightDecay: WD });
    const rows = new RowAdamW(b, { weightDecay: WD });
    const everyRow = Array.from({ length: V }, (_, r) => (r * 5) % V); // all rows, shuffled, some repeated below
    for (let step = 1; step <= 6; step++) {
      const lr = 0.01 * step;
      const g = tf.tensor2d(Array.from({ length: V }, (_, r) => gradOf(step)(r)), [V, d]);
      dense.step([g], lr);
      g.dispose();
      sparseStep(rows, [...everyRow, 3, 3], gradOf(step), lr);
    }
    rows.flush();
    const [x, y] = [await a.data(), await b.data()];
    x.forEach((v, i) => expect(y[i]).toBeCloseTo(v, 6));
    dense.dispose();
    rows.dispose();
    tf.dispose([a, b]);
  });

  it('decays an absent row by Π(1 − lrₜ·wd) over every step, applied when next read or flushed', async () => {
    const rng = new Rng(2);
    const t = table(rng);
    const before = await t.data();
    const opt = new RowAdamW(t, { weightDecay: WD });
    const lrs = [0.05, 0.1, 0.2, 0.1];
    for (const [i, lr] of lrs.entries()) sparseStep(opt, [1, 2], gradOf(i), lr);
    const owed = lrs.reduce((p, lr) => p * (1 - lr * WD), 1);
    // Row 7 was never in a batch: still stored as it was, but read as decayed.
    const stored = await t.data();
    for (let j = 0; j < d; j++) expect(stored[7 * d + j]).toBe(before[7 * d + j]);
    const current = opt.currentRows(planTokens(Int32Array.from([7])));
    const read = await current.data();
    for (let j = 0; j < d; j++) expect(read[j]).toBeCloseTo(before[7 * d + j]! * owed, 6);
    opt.flush();
    const flushed = await t.data();
    for (let j = 0; j < d; j++) expect(flushed[7 * d + j]).toBeCloseTo(before[7 * d + j]! * owed, 6);
    // A second flush owes nothing more.
    opt.flush();
    expect(Array.from(await t.data())).toEqual(Array.from(flushed));
    tf.dispose([current, t]);
    opt.dispose();
  });

  it('moves a row only while it is in batches: no drift on stale momentum', async () => {
    const rng = new Rng(3);
    const t = table(rng);
    const opt = new RowAdamW(t, { weightDecay: 0 });
    sparseStep(opt, [4], gradOf(0), 0.1);
    const after = await t.data();
    for (let s = 1; s <= 3; s++) sparseStep(opt, [5], gradOf(s), 0.1);
    opt.flush();
    const later = await t.data();
    for (let j = 0; j < d; j++) expect(later[4 * d + j]).toBe(after[4 * d + j]);
    tf.dispose(t);
    opt.dispose();
  });

  it('never updates nor decays a frozen row, even when its batch has a gradient for it', async () => {
    const rng = new Rng(4);
    const t = table(rng);
    const before = await t.data();
    const opt = new RowAdamW(t, { weightDecay: WD, frozenRows: [2, 9] });
    for (let s = 0; s < 4; s++) sparseStep(opt, [2, 3, 9, 3], gradOf(s), 0.1);
    opt.flush();
    const after = await t.data();
    for (const r of [2, 9]) for (let j = 0; j < d; j++) expect(after[r * d + j]).toBe(before[r * d + j]);
    expect(after[3 * d]).not.toBe(before[3 * d]);
    expect(() => new RowAdamW(t, { weightDecay: 0, frozenRows: [V] })).toThrow(/outside the table's 12 rows/);
    tf.dispose(t);
    opt.dispose();
  });

  it('leaks nothing per step', async () => {
    const rng = new Rng(5);
    const t = table(rng);
    const opt = new RowAdamW(t, { weightDecay: WD });
    sparseStep(opt, [1, 2, 2], gradOf(0), 0.1);
    const count = tf.memory().numTensors;
    for (let s = 1; s < 4; s++) sparseStep(opt, [1, 2, 6], gradOf(s), 0.1);
    opt.flush();
    expect(tf.memory().numTensors).toBe(count);
    opt.dispose();
    t.dispose();
  });
});
