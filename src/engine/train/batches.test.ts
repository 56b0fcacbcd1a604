/**
 * Batches grouped by length (`defense.batching: by-length`): every row once per epoch, each batch as wide
 * as its longest row, host and device layouts alike — and cutting the padding off changes no number the
 * defenses compute, only how many operations they take.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../config';
import { tokenMask } from '../models/pooling';
import { StudentModel } from '../models/student';
import { Rng } from '../rng';
import { batchIds, batchTokenIds, epochBatches, lengthGroupedBatches, rowLengths, stepsPerEpoch, type Batch, type EncodedSet } from './batches';
import { defenseTerms } from './defense-loss';
import { fit } from './fit';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const T = 8;
/** A set of hand-written rows ([CLS] = 2 first, PAD = 0 after the text). */
function setOf(rows: number[][]): EncodedSet {
  const flat = Int32Array.from(rows.flat());
  const labelArray = Int32Array.from(rows, (_, i) => i % 2);
  return { ids: tf.tensor2d(flat, [rows.length, T], 'int32'), labels: tf.tensor1d(labelArray, 'int32'), labelArray, idArray: flat, lengths: rowLengths(flat, T), size: rows.length };
}
const ROWS = [
  [2, 5, 7, 9, 0, 0, 0, 0],
  [2, 6, 0, 0, 0, 0, 0, 0],
  [2, 8, 8, 8, 8, 8, 8, 8],
  [2, 11, 12, 0, 0, 0, 0, 0],
];

/** Lengths 1..40, the same for every run of the test. */
const lengths = (n: number) => Int32Array.from({ length: n }, (_, i) => 1 + ((i * 7919) % 40));

describe('rowLengths', () => {
  it('counts the tokens before the padding, [CLS] included', () => {
    expect([...rowLengths(Int32Array.from(ROWS.flat()), T)]).toEqual([4, 2, 8, 3]);
  });
});

describe('lengthGroupedBatches', () => {
  it('puts every row in exactly one batch, as many batches as a shuffled epoch has', () => {
    const L = lengths(1000);
    const batches = lengthGroupedBatches(L, 32, new Rng(3));
    expect(batches.length).toBe(stepsPerEpoch(1000, 32));
    const seen = batches.flatMap((b) => [...b.rows]).sort((a, b) => a - b);
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    // One short batch at most: the last pool's last one.
    expect(batches.filter((b) => b.rows.length !== 32).map((b) => b.rows.length)).toEqual([1000 % 32]);
  });

  it('makes each batch exactly as wide as its longest row', () => {
    const L = lengths(3000);
    for (const b of lengthGroupedBatches(L, 32, new Rng(4))) expect(b.width).toBe(Math.max(...[...b.rows].map((r) => L[r]!)));
  });

  it('computes far fewer positions than shuffled batches, which are nearly always full width', () => {
    // Lengths spread evenly over 1..40: a random batch of 32 almost surely holds a row near 40; a sorted
    // pool's batches follow the spread (about half as wide on average).
    const L = lengths(3200);
    const positions = (bs: Batch[]) => bs.reduce((s, b) => s + b.rows.length * b.width!, 0);
    const grouped = positions(lengthGroupedBatches(L, 32, new Rng(5)));
    const shuffled = positions(epochBatches(3200, 32, new Rng(5)).map((rows) => ({ rows, width: Math.max(...[...rows].map((r) => L[r]!)) })));
    expect(grouped).toBeLessThan(0.6 * shuffled);
  });

  it('is the same for the same seed and differs for another', () => {
    const L = lengths(500);
    const rowsOf = (seed: number) => lengthGroupedBatches(L, 16, new Rng(seed)).map((b) => [...b.rows]);
    expect(rowsOf(7)).toEqual(rowsOf(7));
    expect(rowsOf(7)).not.toEqual(rowsOf(8));
  });
});

describe('a batch trimmed to its longest row', () => {
  it('has the same token ids on the host as on the device', () => {
    const set = setOf(ROWS);
    const rows = Int32Array.from([3, 0, 1]);
    const onDevice = batchIds(set, tf.tensor1d(rows, 'int32'), 4);
    expect(onDevice.shape).toEqual([3, 4]);
    expect([...batchTokenIds(set, rows, 4)]).toEqual([...(onDevice.dataSync() as Int32Array)]);
    expect([...batchTokenIds(set, rows)]).toEqual([...(batchIds(set, tf.tensor1d(rows, 'int32')).dataSync() as Int32Array)]);
  });

  it('gives the defense objective the same logits and terms as the full window: padding is only cost', () => {
    const student = new StudentModel({ layers: 2, dModel: 16, heads: 2, dFF: 32 }, 20, T, 2, 0.1, new Rng(11));
    const set = setOf(ROWS.filter((r) => r[4] === 0)); // longest row: 4 tokens
    const rows = tf.tensor1d([0, 1, 2], 'int32');
    const rng = new Rng(12);
    const teacher = { logits: tf.tensor2d(Array.from({ length: 6 }, () => rng.normal()), [3, 2]), feature: tf.relu(tf.tensor2d(Array.from({ length: 48 }, () => rng.normal()), [3, 16])) as tf.Tensor2D };
    const terms = (width?: number) =>
      tf.tidy(() => {
        const ids = batchIds(set, rows, width);
        const out = student.classifyWithEveryBlock(ids, false);
        const t = defenseTerms(out, teacher, set.labels, tokenMask(ids), 2, 'token');
        return { logits: [...(out.logits.dataSync() as Float32Array)], ce: t.ce.dataSync()[0]!, kd: t.kd!.dataSync()[0]!, fa: t.fa!.dataSync()[0]! };
      });
    const full = terms();
    const trimmed = terms(4);
    trimmed.logits.forEach((x, i) => expect(x).toBeCloseTo(full.logits[i]!, 5));
    expect(trimmed.ce).toBeCloseTo(full.ce, 5);
    expect(trimmed.kd).toBeCloseTo(full.kd, 5);
    expect(trimmed.fa / full.fa).toBeCloseTo(1, 5);
    student.dispose();
  });
});

describe('fit with groupByLength', () => {
  it('hands each step its rows and their longest row’s width', async () => {
    const set = setOf([...ROWS, ...ROWS, ...ROWS]);
    const w = tf.variable(tf.scalar(1), true, `batches-test-w-${Math.random()}`);
    const seen: { rows: number[]; width: number | undefined }[] = [];
    try {
      await fit({
        stage: 'defense:lora',
        optim: { ...DEFAULT_CONFIG.defense, epochs: 2, batchSize: 4, lr: 0.1, warmupRatio: 0 },
        variables: [w],
        trainSize: set.size,
        groupByLength: set.lengths,
        batchLoss: (rows, width) => {
          seen.push({ rows: [...(rows.dataSync() as Int32Array)], width });
          return tf.square(w) as tf.Scalar;
        },
        afterEpoch: async () => ({ ca: 1, asr: 0, asrBase: 0 }),
        rng: new Rng(1),
        ctx: { emit: () => {} },
      });
    } finally {
      w.dispose();
    }
    expect(seen.length).toBe(2 * stepsPerEpoch(set.size, 4));
    for (const s of seen) expect(s.width).toBe(Math.max(...s.rows.map((r) => set.lengths[r]!)));
  });
});
