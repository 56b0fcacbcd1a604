/**
 * Encoded splits held as int32 tensors, made once per run (prepared-data.ts), not per step: a step only
 * gathers its rows; and the shuffled batches of an epoch.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Example } from '../data/types';
import type { TextTokenizer } from '../data/tokenizer';
import type { Rng } from '../rng';

export interface EncodedSet {
  /** ids: [N, T] int32, [CLS] first, PAD = 0. */
  ids: tf.Tensor2D;
  /** labels: [N] int32. */
  labels: tf.Tensor1D;
  /** The same labels on the host, for metrics without a device read. */
  labelArray: Int32Array;
  /** The same ids on the host, flat [N·T]: a step plans its token lookups from them (`batchTokenIds`). */
  idArray: Int32Array;
  size: number;
}

/** Encode examples once; the caller disposes with `disposeSet`. */
export function encodeSet(tokenizer: TextTokenizer, examples: readonly Example[], maxLength: number): EncodedSet {
  const flat = tokenizer.encodeBatch(
    examples.map((e) => e.text),
    maxLength,
  );
  const labelArray = Int32Array.from(examples, (e) => e.label);
  return {
    ids: tf.tensor2d(flat, [examples.length, maxLength], 'int32'),
    labels: tf.tensor1d(labelArray, 'int32'),
    labelArray,
    idArray: flat,
    size: examples.length,
  };
}

/** Token ids of `rows` (indices into the set), flat: [rows.length · T], from host memory. */
export function batchTokenIds(set: EncodedSet, rows: Int32Array): Int32Array {
  const T = set.ids.shape[1];
  const out = new Int32Array(rows.length * T);
  rows.forEach((row, i) => out.set(set.idArray.subarray(row * T, (row + 1) * T), i * T));
  return out;
}

export function disposeSet(set: EncodedSet): void {
  set.ids.dispose();
  set.labels.dispose();
}

/** Row indices of each batch of one epoch, shuffled by `rng`; the last short batch is kept. */
export function epochBatches(size: number, batchSize: number, rng: Rng): Int32Array[] {
  const order = rng.shuffle(Array.from({ length: size }, (_, i) => i));
  const batches: Int32Array[] = [];
  for (let start = 0; start < size; start += batchSize) {
    batches.push(Int32Array.from(order.slice(start, start + batchSize)));
  }
  return batches;
}

export function stepsPerEpoch(size: number, batchSize: number): number {
  return Math.ceil(size / batchSize);
}
