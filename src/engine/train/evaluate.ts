/**
 * Batched evaluation: clean accuracy on the clean test set, attack success rate on the triggered
 * non-target test set and its floor (`asrBase`: the same sentences untriggered), dev accuracy for
 * best-epoch selection; plus the batched predictions they are built from (labels, probabilities) and a
 * frozen model's logits and features over a whole set (`inferAll`, the teacher's targets).
 */
import * as tf from '@tensorflow/tfjs-core';
import { accuracy, attackSuccessRate } from '../metrics/metrics';
import { batchTokenIds, lengthOrderedBatches, type Batch, type EncodedSet } from './batches';
import { yieldToEventLoop } from './context';

/** Anything that maps token ids to class logits and a pooled feature. */
export interface Classifier {
  /** ids: [B, T] int32 → logits [B, C], feature [B, d]. */
  classify(ids: tf.Tensor2D, training: boolean): { logits: tf.Tensor2D; feature: tf.Tensor2D };
}

const EVAL_BATCH = 128;

/**
 * Runs `fn` on `count` batches, `input(i)` making the i-th, and returns the host copies in order. One
 * device read per batch.
 */
async function mapBatches(count: number, input: (i: number) => tf.Tensor2D, fn: (rows: tf.Tensor2D) => tf.Tensor): Promise<(Float32Array | Int32Array)[]> {
  const parts: (Float32Array | Int32Array)[] = [];
  for (let i = 0; i < count; i++) {
    const out = tf.tidy(() => fn(input(i)));
    try {
      parts.push((await out.data()) as Float32Array | Int32Array); // host-sync point: one per eval batch
    } finally {
      out.dispose();
    }
    // A cancel click waits at most one batch: the stage checks the signal once the evaluation returns.
    if (i + 1 < count) await yieldToEventLoop();
  }
  return parts;
}

/** Runs `fn` on row slices of `ids` and concatenates the host copies. */
async function mapRows(ids: tf.Tensor2D, fn: (rows: tf.Tensor2D) => tf.Tensor, batch = EVAL_BATCH): Promise<Float32Array | Int32Array> {
  const [n, t] = ids.shape;
  const parts = await mapBatches(Math.ceil(n / batch), (i) => tf.slice(ids, [i * batch, 0], [Math.min(batch, n - i * batch), t]), fn);
  const total = parts.reduce((s, p) => s + p.length, 0);
  const joined = parts[0] instanceof Int32Array || parts.length === 0 ? new Int32Array(total) : new Float32Array(total);
  let offset = 0;
  for (const p of parts) {
    joined.set(p, offset);
    offset += p.length;
  }
  return joined;
}

/** Predicted labels: [N]. */
export async function predictLabels(model: Classifier, ids: tf.Tensor2D): Promise<Int32Array> {
  return (await mapRows(ids, (rows) => tf.argMax(model.classify(rows, false).logits, 1))) as Int32Array;
}

/** Class probabilities, row-major [N, C]. */
export async function predictProbabilities(model: Classifier, ids: tf.Tensor2D): Promise<Float32Array> {
  return (await mapRows(ids, (rows) => tf.softmax(model.classify(rows, false).logits))) as Float32Array;
}

/**
 * Predicted labels of a whole encoded set: [N], in set order. Rows are evaluated in order of length, each
 * batch cut after its longest row, so the padding a full window would carry is never computed (a third of
 * SST-2's positions). Rows are independent and padding is masked, so the labels are the full window's up
 * to float rounding (`batches.test.ts` bounds the logits' change). With `only`, the labels of those rows.
 */
export async function predictSetLabels(model: Classifier, set: EncodedSet, only?: Int32Array): Promise<Int32Array> {
  // `only`: these rows alone, their labels in that order (the batches index into `only`).
  const rowOf = (j: number) => (only ? only[j]! : j);
  const batches = lengthOrderedBatches(only ? only.map((r) => set.lengths[r]!) : set.lengths, EVAL_BATCH);
  const idsOf = ({ rows, width = set.ids.shape[1] }: Batch) => tf.tensor2d(batchTokenIds(set, rows.map(rowOf), width), [rows.length, width], 'int32');
  const parts = await mapBatches(batches.length, (i) => idsOf(batches[i]!), (rows) => tf.argMax(model.classify(rows, false).logits, 1));
  const labels = new Int32Array(only ? only.length : set.size);
  batches.forEach((b, i) => b.rows.forEach((row, j) => (labels[row] = parts[i]![j]!)));
  return labels;
}

/** Logits and pooled features of a frozen model (the teacher) over a whole set, kept on the device. */
export function inferAll(model: Classifier, ids: tf.Tensor2D, batch = EVAL_BATCH): { logits: tf.Tensor2D; feature: tf.Tensor2D } {
  return tf.tidy(() => {
    const [n, t] = ids.shape;
    const logits: tf.Tensor2D[] = [];
    const features: tf.Tensor2D[] = [];
    for (let start = 0; start < n; start += batch) {
      const size = Math.min(batch, n - start);
      const out = model.classify(tf.slice(ids, [start, 0], [size, t]), false);
      logits.push(out.logits);
      features.push(out.feature);
    }
    return { logits: tf.concat(logits, 0), feature: tf.concat(features, 0) };
  });
}

export interface EvalSets {
  test: EncodedSet;
  /** Every non-target test sample with the trigger; labels are the true ones. */
  poisonedTest: EncodedSet;
  /** The same non-target test samples without the trigger, in the same order: the ASR's floor. */
  baseTest: EncodedSet;
  /**
   * Each `baseTest` row's row in `test` (the same text), or −1: the floor reads the labels CA already
   * predicted there and predicts only the rest (with the whole test split, none).
   */
  baseInTest?: Int32Array;
  dev?: EncodedSet;
  /**
   * Every non-target dev sample (of the capped dev set) with the trigger: the attacker's own check that the
   * backdoor is in (`poison.untilAsr`). Only the poisoning stage carries it; the attacker never sees test.
   */
  poisonedDev?: EncodedSet;
}

export interface Evaluation {
  ca: number;
  asr: number;
  asrBase: number;
  devAcc?: number;
  devAsr?: number;
}

/** Predicted labels of `baseTest`, reading those of its rows that `test` holds from `testLabels`. */
async function floorLabels(model: Classifier, sets: EvalSets, testLabels: Int32Array): Promise<Int32Array> {
  const inTest = sets.baseInTest;
  if (!inTest) return predictSetLabels(model, sets.baseTest);
  const rest = Int32Array.from(inTest.keys()).filter((i) => inTest[i]! < 0);
  const restLabels = rest.length > 0 ? await predictSetLabels(model, sets.baseTest, rest) : new Int32Array(0);
  const labels = inTest.map((t) => (t >= 0 ? testLabels[t]! : 0));
  rest.forEach((row, j) => (labels[row] = restLabels[j]!));
  return labels;
}

export async function evaluate(model: Classifier, sets: EvalSets, targetLabel: number): Promise<Evaluation> {
  const testLabels = await predictSetLabels(model, sets.test);
  const ca = accuracy(testLabels, sets.test.labelArray);
  const asr = attackSuccessRate(await predictSetLabels(model, sets.poisonedTest), targetLabel);
  // The same share on the untriggered sentences: what a model with this CA calls the target anyway.
  const asrBase = attackSuccessRate(await floorLabels(model, sets, testLabels), targetLabel);
  const devAsr = sets.poisonedDev ? { devAsr: attackSuccessRate(await predictSetLabels(model, sets.poisonedDev), targetLabel) } : {};
  if (!sets.dev) return { ca, asr, asrBase, ...devAsr };
  const devAcc = accuracy(await predictSetLabels(model, sets.dev), sets.dev.labelArray);
  return { ca, asr, asrBase, devAcc, ...devAsr };
}
