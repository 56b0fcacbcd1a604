/**
 * How an encoder's token states become one sentence feature.
 *
 * - `cls`: the final hidden state at position 0 (BERT's [CLS]) — the paper's teacher.
 * - `mean`: the average over non-PAD positions. The lab's student uses it: in a shallow encoder
 *   pretrained for minutes, [CLS] mostly carries its own embedding, and the sentence reaches it only
 *   through attention, so a LoRA adapter on a frozen encoder learns slowly from it (measured: loss stuck
 *   near the label prior where mean pooling fits). It also keeps every token — the trigger included —
 *   in the feature that feature alignment compares, the role the LLM's last-token state plays in the paper.
 */
import * as tf from '@tensorflow/tfjs-core';
import { PAD_ID, type Encoder } from './encoder';

export type Pooling = 'cls' | 'mean';

/** ids: [B, T] → final hidden state at position 0: [B, d]. */
export function clsPool(encoder: Encoder, ids: tf.Tensor2D, training: boolean): tf.Tensor2D {
  const [B] = ids.shape;
  const h = encoder.apply(ids, training); // [B, T, d]
  return tf.reshape(tf.slice(h, [0, 0, 0], [B, 1, encoder.dModel]), [B, encoder.dModel]); // [B, d]
}

/** ids: [B, T] → mean of the final hidden states over non-PAD positions: [B, d]. */
export function meanPool(encoder: Encoder, ids: tf.Tensor2D, training: boolean): tf.Tensor2D {
  const h = encoder.apply(ids, training); // [B, T, d]
  const mask = tf.expandDims(tf.cast(tf.notEqual(ids, PAD_ID), 'float32'), 2); // [B, T, 1]
  const sum = tf.sum(tf.mul(h, mask), 1); // [B, d]
  return tf.div(sum, tf.maximum(tf.sum(mask, 1), 1)) as tf.Tensor2D; // [B, d]
}

export function pool(kind: Pooling, encoder: Encoder, ids: tf.Tensor2D, training: boolean): tf.Tensor2D {
  return kind === 'cls' ? clsPool(encoder, ids, training) : meanPool(encoder, ids, training);
}
