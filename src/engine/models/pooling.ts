/**
 * How an encoder's token states become one sentence feature.
 *
 * - `cls`: the final hidden state at position 0 (BERT's [CLS]) — the paper's teacher.
 * - `mean`: the average over non-PAD positions. The lab's student uses it: in a shallow encoder
 *   pretrained for minutes, [CLS] mostly carries its own embedding, and the sentence reaches it only
 *   through attention, so a LoRA adapter on a frozen encoder learns slowly from it (measured: loss stuck
 *   near the label prior where mean pooling fits). It also keeps every token — the trigger included —
 *   in the feature that pooled feature alignment (`faMode: 'pooled'`) compares, the role the LLM's
 *   last-token state plays in the paper.
 */
import * as tf from '@tensorflow/tfjs-core';
import { PAD_ID, type Encoder } from './encoder';

export type Pooling = 'cls' | 'mean';

/** ids: [B, T] → final hidden state at position 0: [B, d]. */
export function clsPool(encoder: Encoder, ids: tf.Tensor2D, training: boolean): tf.Tensor2D {
  return poolStates('cls', encoder.apply(ids, training), ids);
}

/** ids: [B, T] → 1 at real tokens, 0 at padding: [B, T] float32. */
export function tokenMask(ids: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.notEqual(ids, PAD_ID), 'float32'));
}

/** Final hidden states h: [B, T, d] of `ids`: [B, T] → one feature per sentence: [B, d]. */
export function poolStates(kind: Pooling, h: tf.Tensor3D, ids: tf.Tensor2D): tf.Tensor2D {
  const [B, , d] = h.shape;
  if (kind === 'cls') return tf.reshape(tf.slice(h, [0, 0, 0], [B, 1, d]), [B, d]); // [B, d]
  const mask = tf.expandDims(tokenMask(ids), 2); // [B, T, 1]
  const sum = tf.sum(tf.mul(h, mask), 1); // [B, d]
  return tf.div(sum, tf.maximum(tf.sum(mask, 1), 1)) as tf.Tensor2D; // [B, d]
}
