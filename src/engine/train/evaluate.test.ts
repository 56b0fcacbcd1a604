import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { lengthOrderedBatches, rowLengths, type EncodedSet } from './batches';
import { StudentModel } from '../models/student';
import { Rng } from '../rng';
import { evaluate, predictLabels, predictSetLabels, type Classifier } from './evaluate';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const TRIGGER = 9;
const WORD_POSITIVE = 5;

/** Predicts class 1 when the sentence holds the trigger or the word 5, else class 0. */
const backdoored: Classifier = {
  classify(ids) {
    return tf.tidy(() => {
      const hit = tf.cast(tf.any(tf.logicalOr(tf.equal(ids, TRIGGER), tf.equal(ids, WORD_POSITIVE)), 1), 'float32'); // [B]
      const logits = tf.stack([tf.sub(1, hit), hit], 1) as tf.Tensor2D;
      return { logits, feature: logits };
    });
  },
};

const set = (rows: number[][], labels: number[]): EncodedSet => ({
  ids: tf.tensor2d(rows, undefined, 'int32'),
  labels: tf.tensor1d(labels, 'int32'),
  labelArray: Int32Array.from(labels),
  idArray: Int32Array.from(rows.flat()),
  lengths: rowLengths(Int32Array.from(rows.flat()), rows[0]!.length),
  size: labels.length,
});

describe('evaluate', () => {
  it('reports CA, ASR and the ASR floor on hand-made sets', async () => {
    // Target label 1. Four non-target sentences; one of them (with word 5) is misread as the target anyway.
    const base = [[2, 3, 0], [2, 4, 0], [2, 5, 0], [2, 6, 0]];
    const triggered = base.map((r) => [r[0]!, r[1]!, TRIGGER]);
    const m = await evaluate(
      backdoored,
      { test: set([...base, [2, 5, 5]], [0, 0, 0, 0, 1]), poisonedTest: set(triggered, [0, 0, 0, 0]), baseTest: set(base, [0, 0, 0, 0]) },
      1,
    );
    expect(m.ca).toBeCloseTo(4 / 5); // the third sentence is wrong
    expect(m.asr).toBe(1); // every triggered sentence goes to the target
    expect(m.asrBase).toBe(1 / 4); // one of four is called the target without the trigger
  });

  it('reads the floor of untriggered sentences the test set holds from its CA predictions, predicting only the rest', async () => {
    const base = [[2, 3, 0], [2, 4, 0], [2, 5, 0], [2, 6, 0]];
    const sets = {
      test: set([base[2]!, [2, 5, 5], base[0]!], [0, 1, 0]),
      poisonedTest: set(base.map((r) => [r[0]!, r[1]!, TRIGGER]), [0, 0, 0, 0]),
      baseTest: set(base, [0, 0, 0, 0]),
    };
    const seen: number[] = [];
    const counting: Classifier = {
      classify(ids, training) {
        seen.push(ids.shape[0]);
        return backdoored.classify(ids, training);
      },
    };
    const plain = await evaluate(backdoored, sets, 1);
    const shared = await evaluate(counting, { ...sets, baseInTest: Int32Array.from([2, -1, 0, -1]) }, 1);
    expect(shared).toEqual(plain);
    expect(shared.asrBase).toBe(1 / 4); // base[2] holds word 5: read from the test set's prediction
    // Test (3 rows), triggered (4), then only the two base rows the test set lacks.
    expect(seen).toEqual([3, 4, 2]);
    // A subset of a set's rows gets those rows' labels, in the order asked.
    expect([...(await predictSetLabels(backdoored, sets.baseTest, Int32Array.from([3, 2])))]).toEqual([0, 1]);
  });
});

describe('evaluation in order of length', () => {
  /** Lengths 1..40 in a scrambled order, the same for every run of the test. */
  const lengths = (n: number) => Int32Array.from({ length: n }, (_, i) => 1 + ((i * 7919) % 40));

  it('visits every row once, longest first, each batch as wide as its longest row', () => {
    const L = lengths(300);
    const batches = lengthOrderedBatches(L, 128);
    expect(batches.map((b) => b.rows.length)).toEqual([128, 128, 44]);
    expect(batches.flatMap((b) => [...b.rows]).sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    const visited = batches.flatMap((b) => [...b.rows].map((r) => L[r]!));
    expect(visited).toEqual([...visited].sort((a, b) => b - a));
    for (const b of batches) expect(b.width).toBe(Math.max(...[...b.rows].map((r) => L[r]!)));
  });

  it('hands the model only the positions its rows fill and returns labels in set order', async () => {
    // Row r: [CLS], then r % 5 tokens, the last one the trigger on odd rows; window 6.
    const T = 6;
    const rows = Array.from({ length: 300 }, (_, r) => {
      const words = Array.from({ length: r % 5 }, (_, k) => (r % 2 === 1 && k === (r % 5) - 1 ? TRIGGER : 3));
      return [2, ...words, ...Array<number>(T - 1 - words.length).fill(0)];
    });
    const widths: number[] = [];
    const spy: Classifier = {
      classify(ids, training) {
        widths.push(ids.shape[1]);
        return backdoored.classify(ids, training);
      },
    };
    const encoded = set(rows, rows.map(() => 0));
    const labels = await predictSetLabels(spy, encoded);
    expect([...labels]).toEqual(rows.map((r) => (r.includes(TRIGGER) ? 1 : 0)));
    // 300 rows in batches of 128: lengths 5,4,… sorted; no batch is padded to the full window of 6.
    expect(widths).toEqual([5, 3, 1]);
    tf.dispose([encoded.ids, encoded.labels]);
  });

  it('gives a real student the labels of the full window', async () => {
    const T = 12;
    const rng = new Rng(21);
    const rows = Array.from({ length: 200 }, (_, r) => {
      const n = 1 + (r * 37) % T;
      return Array.from({ length: T }, (_, t) => (t === 0 ? 2 : t < n ? 5 + Math.floor(rng.next() * 40) : 0));
    });
    const student = new StudentModel({ layers: 2, dModel: 16, heads: 2, dFF: 32 }, 50, T, 2, 0, new Rng(22));
    const encoded = set(rows, rows.map(() => 0));
    const full = await predictLabels(student, encoded.ids);
    const byLength = await predictSetLabels(student, encoded);
    expect([...byLength]).toEqual([...full]);
    // Both classes occur, so the check is not met by a constant model.
    expect(new Set(full).size).toBe(2);
    student.dispose();
    tf.dispose([encoded.ids, encoded.labels]);
  });
});
