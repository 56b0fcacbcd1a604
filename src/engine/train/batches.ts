/**
 * Encoded splits held as int32 tensors, made once per run (prepared-data.ts), not per step: a step only
 * gathers its rows; and the batches of an epoch, shuffled or grouped by length.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Example } from '../data/types';
import { PAD, type TextTokenizer } from '../data/tokenizer';
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
  /** Tokens before the padding, per row ([CLS] included): what a batch trimmed to its longest row keeps. */
  lengths: Int32Array;
  size: number;
}

/** One batch of an epoch: rows of a set and, when grouped by length, the token positions the step computes. */
export interface Batch {
  rows: Int32Array;
  /** Absent: the whole window. */
  width?: number;
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
    lengths: rowLengths(flat, maxLength),
    size: examples.length,
  };
}

/** Position of each row's first padding token (its length), from flat [N·T] ids; tokenizers pad at the end. */
export function rowLengths(flat: Int32Array, maxLength: number): Int32Array {
  const n = flat.length / maxLength;
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let t = maxLength;
    while (t > 0 && flat[r * maxLength + t - 1] === PAD) t--;
    out[r] = t;
  }
  return out;
}

/** The batch's ids, [B, width]: the gathered rows, cut after `width` positions when that is short of the window. */
export function batchIds(set: EncodedSet, rows: tf.Tensor1D, width: number = set.ids.shape[1]): tf.Tensor2D {
  const ids = tf.gather(set.ids, rows) as tf.Tensor2D;
  return width === set.ids.shape[1] ? ids : (tf.slice(ids, [0, 0], [-1, width]) as tf.Tensor2D);
}

/** Token ids of `rows` (indices into the set), flat: [rows.length · width], from host memory (`batchIds`' layout). */
export function batchTokenIds(set: EncodedSet, rows: Int32Array, width: number = set.ids.shape[1]): Int32Array {
  const T = set.ids.shape[1];
  const out = new Int32Array(rows.length * width);
  rows.forEach((row, i) => out.set(set.idArray.subarray(row * T, row * T + width), i * width));
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

/** Pools of this many batches are sorted by length before they are cut (Hugging Face's `group_by_length` uses 50). */
export const LENGTH_POOL_BATCHES = 50;

/**
 * The epoch's batches grouped by length: the rows shuffled by `rng` as in `epochBatches`, each pool of
 * `LENGTH_POOL_BATCHES` batches' rows sorted by length (longest first) and cut into batches, then the
 * batches shuffled; each batch as wide as its longest row. Every row lands in exactly one batch; only
 * the last pool's last batch may be short.
 */
export function lengthGroupedBatches(lengths: Int32Array, batchSize: number, rng: Rng): Batch[] {
  const order = rng.shuffle(Array.from({ length: lengths.length }, (_, i) => i));
  const pool = batchSize * LENGTH_POOL_BATCHES;
  const batches: Batch[] = [];
  for (let start = 0; start < order.length; start += pool) {
    batches.push(...longestFirstBatches(order.slice(start, start + pool), lengths, batchSize));
  }
  return rng.shuffle(batches);
}

/**
 * The rows of `lengths` in batches of `batchSize`, longest rows first, each as wide as its longest row:
 * the order in which a whole set is evaluated (`predictSetLabels`), padding never computed.
 */
export function lengthOrderedBatches(lengths: Int32Array, batchSize: number): Batch[] {
  return longestFirstBatches(Array.from({ length: lengths.length }, (_, i) => i), lengths, batchSize);
}

/** `rows` sorted by length, longest first, and cut into batches as wide as their longest row. */
function longestFirstBatches(rows: number[], lengths: Int32Array, batchSize: number): Batch[] {
  // Stable sort: rows of equal length keep the order they came in.
  const sorted = [...rows].sort((a, b) => lengths[b]! - lengths[a]!);
  const batches: Batch[] = [];
  for (let b = 0; b < sorted.length; b += batchSize) {
    const batch = Int32Array.from(sorted.slice(b, b + batchSize));
    batches.push({ rows: batch, width: Math.max(1, lengths[batch[0]!]!) });
  }
  return batches;
}

export function stepsPerEpoch(size: number, batchSize: number): number {
  return Math.ceil(size / batchSize);
}
