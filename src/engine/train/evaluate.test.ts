import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { rowLengths, type EncodedSet } from './batches';
import { evaluate, type Classifier } from './evaluate';

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
});
