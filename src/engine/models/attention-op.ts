/**
 * Multi-head scaled dot-product attention (scores, padding mask, softmax, weighted values) as one
 * differentiable op with a hand-written backward. Autodiff of the composite records a tape node per
 * reshape, transpose, matmul, add and softmax, each saving its inputs (an `Identity` launch per saved
 * tensor) and each with its own backward kernels; this op saves four tensors (the scaled query heads,
 * the transposed key heads, the value heads and the probabilities) and runs the closed form:
 *
 *   S = (q/√D)·kᵀ + mask,  P = softmax(S),  O = P·v            (per batch row and head)
 *   dV = Pᵀ·dO,  dP = dO·vᵀ,  dS = P ⊙ (dP − rowsum(dP ⊙ P)),  dQ = dS·k/√D,  dK = dSᵀ·q/√D
 *
 * Checked against the composite and by finite differences in attention-op.test.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { transposedProduct as product } from './matmul';

/** [B·T, H·D] → [B·H, T, D] (one head per batch row), with `perm` choosing [T, D] or [D, T]. */
function splitHeads(x: tf.Tensor, B: number, T: number, H: number, perm: number[] = [0, 2, 1, 3]): tf.Tensor3D {
  const D = x.shape[1]! / H;
  const [, , a, b] = perm.map((p) => [B, T, H, D][p]!);
  return tf.reshape(tf.transpose(tf.reshape(x, [B, T, H, D]), perm), [B * H, a!, b!]) as tf.Tensor3D;
}

/** [B·H, T, D] → [B·T, H·D]. */
function mergeHeads(x: tf.Tensor3D, B: number, T: number, H: number): tf.Tensor2D {
  const D = x.shape[2];
  return tf.reshape(tf.transpose(tf.reshape(x, [B, H, T, D]), [0, 2, 1, 3]), [B * T, H * D]) as tf.Tensor2D;
}

/**
 * The composite form, op by op (autodiff backward): the reference the op is tested against.
 * q, k, v: [B·T, d] (q not yet scaled); maskBias: [B, 1, 1, T], added to the scores → [B·T, d].
 */
export function attentionComposite(q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, maskBias: tf.Tensor, B: number, T: number, H: number): tf.Tensor2D {
  const D = q.shape[1] / H;
  const qh = splitHeads(tf.mul(q, 1 / Math.sqrt(D)), B, T, H);
  const scores = tf.add(tf.reshape(tf.matMul(qh, splitHeads(k, B, T, H), false, true), [B, H, T, T]), maskBias);
  const probs = tf.reshape(tf.softmax(scores), [B * H, T, T]) as tf.Tensor3D;
  return mergeHeads(tf.matMul(probs, splitHeads(v, B, T, H)), B, T, H);
}

/**
 * Attention as one op: q, k, v: [B·T, d] (the projections; q not yet scaled), maskBias: [B, 1, 1, T]
 * (a constant: 0 on real keys, −1e9 on padding), H heads → [B·T, d], the heads merged.
 */
export function attention(q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, maskBias: tf.Tensor, B: number, T: number, H: number): tf.Tensor2D {
  const scale = 1 / Math.sqrt(q.shape[1] / H);
  // Built per call: the mask is captured, not an input, so the op returns no gradient for it.
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [q, k, v, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    const qh = splitHeads(tf.mul(q, scale), B, T, H); // [B·H, T, D], scaled
    const kT = splitHeads(k, B, T, H, [0, 2, 3, 1]); // [B·H, D, T]
    const vh = splitHeads(v, B, T, H); // [B·H, T, D]
    const scores = tf.add(tf.reshape(tf.matMul(qh, kT), [B, H, T, T]), maskBias); // [B, H, T, T]
    const probs = tf.reshape(tf.softmax(scores), [B * H, T, T]) as tf.Tensor3D; // [B·H, T, T]
    save([qh, kT, vh, probs]);
    return {
      value: mergeHeads(tf.matMul(probs, vh), B, T, H), // [B·T, d]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [qh, kT, vh, probs] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
        const dO = splitHeads(dy, B, T, H); // [B·H, T, D]
        const dV = product(probs, dO, true, false); // Pᵀ·dO: [B·H, T, D]
        const dP = product(dO, vh, false, true); // dO·vᵀ: [B·H, T, T]
        const dS = tf.mul(probs, tf.sub(dP, tf.sum(tf.mul(dP, probs), -1, true))) as tf.Tensor3D; // softmax backward
        const dQ = tf.mul(product(dS, kT, false, true), scale) as tf.Tensor3D; // dS·k/√D: [B·H, T, D]
        const dK = product(dS, qh, true, false); // dSᵀ·(q/√D): [B·H, T, D]
        return [mergeHeads(dQ, B, T, H), mergeHeads(dK, B, T, H), mergeHeads(dV, B, T, H)];
      },
    };
  }) as unknown as (q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D) => tf.Tensor2D;
  return op(q, k, v);
}

/**
 * Attention for one query per sequence (forward only: eval mode). q: [B, d] (not yet scaled), k, v:
 * [B·T, d], maskBias: [B, 1, 1, T] → [B, d], the heads merged: `attention`'s output at those queries.
 */
export function attentionOfOneQuery(q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, maskBias: tf.Tensor, B: number, T: number, H: number): tf.Tensor2D {
  const D = q.shape[1] / H;
  const qh = tf.reshape(tf.mul(q, 1 / Math.sqrt(D)), [B * H, 1, D]) as tf.Tensor3D; // row b·H + h: head h of sequence b
  const scores = tf.add(tf.reshape(tf.matMul(qh, splitHeads(k, B, T, H, [0, 2, 3, 1])), [B, H, 1, T]), maskBias); // [B, H, 1, T]
  const probs = tf.reshape(tf.softmax(scores), [B * H, 1, T]) as tf.Tensor3D;
  return tf.reshape(tf.matMul(probs, splitHeads(v, B, T, H)), [B, H * D]) as tf.Tensor2D; // [B·H, 1, D] → heads merged
}
