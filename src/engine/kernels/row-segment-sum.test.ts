/**
 * The fixed-order embedding gradient: the segment-sum kernel against a per-row reference on CPU and
 * WASM (bit for bit: both add in position order), the unsortedSegmentSum fallback, and the two-stage
 * lookup's gradient wrt the table against tfjs' gather gradient.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { countKernels } from '../models/kernel-count';
import { gatherRows, gatherSegments } from '../models/matmul';
import { planTokens } from '../models/token-plan';
import { TokenRows } from '../models/token-rows';
import { Rng } from '../rng';
import { rowSegmentSum, type SegmentTensors } from './row-segment-sum';

afterAll(async () => {
  await tf.setBackend('cpu');
});

function randomIds(n: number, vocab: number, rng: Rng): Int32Array {
  // Skewed like text: id 0 (padding) about a third of the time.
  return Int32Array.from({ length: n }, () => (rng.next() < 0.3 ? 0 : rng.int(vocab)));
}

function segmentTensors(ids: Int32Array): SegmentTensors {
  const p = planTokens(ids);
  return { inverse: tf.tensor1d(p.inverse, 'int32'), order: tf.tensor1d(p.order, 'int32'), offsets: tf.tensor1d(p.offsets, 'int32') };
}

/** Σ over positions of each distinct id, in position order, in float32 (what a sequential scatter computes). */
function reference(dy: Float32Array, d: number, ids: Int32Array): Float32Array {
  const p = planTokens(ids);
  const out = new Float32Array(p.unique.length * d);
  ids.forEach((_, i) => {
    const u = p.inverse[i]!;
    for (let j = 0; j < d; j++) out[u * d + j]! += dy[i * d + j]!;
  });
  return out;
}

describe.each(['cpu', 'wasm'])('rowSegmentSum on %s', (backend) => {
  it('sums each id\'s rows in position order, bit for bit, in one kernel', async () => {
    await tf.setBackend(backend);
    const rng = new Rng(3);
    const [N, d] = [300, 24];
    const ids = randomIds(N, 40, rng);
    const values = Float32Array.from({ length: N * d }, () => rng.normal());
    const s = segmentTensors(ids);
    const dy = tf.tensor2d(values, [N, d]);
    const out = rowSegmentSum(dy, s);
    expect(out.shape).toEqual([planTokens(ids).unique.length, d]);
    expect(Array.from(await out.data())).toEqual(Array.from(reference(values, d, ids)));
    const census = await countKernels(() => rowSegmentSum(dy, s));
    expect(census.total).toBe(1);
    tf.dispose([dy, out, s.inverse, s.order, s.offsets]);
  });
});

describe('rowSegmentSum fallback and the two-stage lookup (cpu)', () => {
  it('matches unsortedSegmentSum, the fallback of backends without the kernel', async () => {
    await tf.setBackend('cpu');
    const rng = new Rng(5);
    const ids = randomIds(200, 30, rng);
    const dy = tf.tensor2d(Float32Array.from({ length: 200 * 8 }, () => rng.normal()), [200, 8]);
    const s = segmentTensors(ids);
    const ours = await rowSegmentSum(dy, s).data();
    const theirs = await tf.unsortedSegmentSum(dy, s.inverse, planTokens(ids).unique.length).data();
    Array.from(ours).forEach((v, i) => expect(v).toBeCloseTo(theirs[i]!, 5));
    tf.dispose([dy, s.inverse, s.order, s.offsets]);
  });

  it('gives the table the gradient of the dense scatter it replaces (bit for bit), dense or through a sparse rows variable', async () => {
    await tf.setBackend('cpu');
    const rng = new Rng(8);
    const [V, d, N] = [50, 6, 120];
    const table = tf.variable(tf.tensor2d(Float32Array.from({ length: V * d }, () => rng.normal()), [V, d]));
    const ids = randomIds(N, V, rng);
    const idT = tf.tensor1d(ids, 'int32');
    const w = tf.tensor2d(Float32Array.from({ length: N * d }, () => rng.normal()), [N, d]);
    const loss = (rows: tf.Tensor2D) => tf.sum(tf.mul(tf.square(rows), w)) as tf.Scalar;
    // The lookup before plans: one gather, its gradient a scatterND of every position (position order).
    const expected = tf.grad((t: tf.Tensor) => loss(gatherRows(t as tf.Tensor2D, idT)))(table);
    const tfjs = await tf.grad((t: tf.Tensor) => loss(tf.gather(t, idT) as tf.Tensor2D))(table).data();
    Array.from(await expected.data()).forEach((v, i) => expect(v).toBeCloseTo(tfjs[i]!, 4));
    const plan = planTokens(ids);

    const dense = TokenRows.dense(plan);
    const gDense = tf.grad((t: tf.Tensor) => loss(dense.lookup(t as tf.Tensor2D, idT)))(table);
    expect(Array.from(await gDense.data())).toEqual(Array.from(await expected.data()));

    const current = tf.gather(table, tf.tensor1d(plan.unique, 'int32')) as tf.Tensor2D;
    const sparse = TokenRows.sparse(plan, current);
    const { grads } = tf.variableGrads(() => loss(sparse.lookup(table, idT)), [sparse.variable!]);
    const gRows = await grads[sparse.variable!.name]!.data();
    const full = await expected.data();
    plan.unique.forEach((r, u) => {
      for (let j = 0; j < d; j++) expect(gRows[u * d + j]).toBe(full[r * d + j]);
    });
    // The forward values are those of a plain gather.
    expect(Array.from(await dense.lookup(table, idT).data())).toEqual(Array.from(await gatherRows(table, idT).data()));
    expect(() => dense.lookup(table, tf.tensor1d([1, 2], 'int32'))).toThrow(/made for 120/);
    dense.dispose();
    sparse.dispose();
    tf.dispose([table, idT, w, expected, gDense, current]);
  });

  it('gatherSegments forwards rows[inverse]', async () => {
    await tf.setBackend('cpu');
    const ids = Int32Array.from([5, 2, 5, 9]);
    const plan = planTokens(ids);
    const rows = tf.tensor2d([[2, 2], [5, 5], [9, 9]]); // rows of ids 2, 5, 9
    const s = segmentTensors(ids);
    expect(await gatherSegments(rows, s).array()).toEqual([[5, 5], [2, 2], [5, 5], [9, 9]]);
    expect(Array.from(plan.unique)).toEqual([2, 5, 9]);
    tf.dispose([rows, s.inverse, s.order, s.offsets]);
  });
});
