/**
 * The training objectives: cross-entropy (classification and masked LM), the distillation term
 * KD_T = T²·KL(softmax(t/T) ‖ softmax(s/T)), and feature alignment (FA) between the teacher's projected
 * feature and the student's final hidden states, in three forms (`FaMode`): per token (the default),
 * pooled, and the official code read literally. Teacher inputs are treated as constants: no gradient
 * reaches them even when they were computed inside the same tape.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Identity forward, zero gradient: x → x, treated as a constant by backprop. */
export const stopGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: tf.clone(args[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as <T extends tf.Tensor>(x: T) => T;

/** The composite form of `crossEntropy`, op by op (autodiff backward): the reference it is tested against. */
export function crossEntropyComposite(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits); // [B, C]
    const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1])), 1); // [B]
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}

/**
 * logits: [B, C], labels: [B] int32 → mean negative log-likelihood (scalar), as one op with the closed
 * form backward d/dlogits = (softmax(logits) − onehot(labels)) / B: the composite's tape (log-softmax,
 * one-hot product, sum, mean, negation) saves and differentiates five nodes. Labels get no gradient.
 */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const [B, C] = logits.shape;
  return tf.tidy(() => {
    const onehot = tf.oneHot(tf.cast(labels, 'int32'), C); // [B, C], a constant of the op
    const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [z, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
      const logp = tf.logSoftmax(z); // [B, C]
      save([logp, onehot]);
      return {
        value: tf.div(tf.sum(tf.mul(logp, onehot)), -B) as tf.Scalar,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [logp, onehot] = saved as [tf.Tensor2D, tf.Tensor2D];
          return tf.mul(tf.sub(tf.exp(logp), onehot), tf.div(dy, B));
        },
      };
    }) as unknown as (z: tf.Tensor2D) => tf.Scalar;
    return op(logits);
  });
}

/**
 * studentLogits, teacherLogits: [B, C] → T²·mean_b KL(softmax(t_b/T) ‖ softmax(s_b/T)) (scalar), i.e.
 * PyTorch's `KLDivLoss(reduction='batchmean')` scaled by T² (Hinton et al.: keeps gradient size
 * independent of T). The teacher's logits are constants.
 */
export function kdLoss(studentLogits: tf.Tensor2D, teacherLogits: tf.Tensor2D, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const t = stopGradient(teacherLogits);
    const logPt = tf.logSoftmax(tf.div(t, temperature)); // [B, C]
    const logPs = tf.logSoftmax(tf.div(studentLogits, temperature)); // [B, C]
    const kl = tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs)), 1); // [B]
    return tf.mul(tf.mean(kl), temperature * temperature) as tf.Scalar;
  });
}

/**
 * teacherFeature, studentFeature: [B, d] → mean_b ‖t_b − s_b‖² / d (scalar), i.e. the mean squared error
 * over all B·d elements (PyTorch's `MSELoss()` default). Dividing by d keeps the loss weight meaningful
 * across model widths. The teacher's feature is a constant.
 */
export function featureAlignmentLoss(teacherFeature: tf.Tensor2D, studentFeature: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.squaredDifference(stopGradient(teacherFeature), studentFeature)) as tf.Scalar);
}

/**
 * Per-token FA, the form the paper describes: teacherFeature: [B, d], studentStates: [B, T, d], mask:
 * [B, T] (1 at real tokens, 0 at padding) →
 *   mean_b  Σ_t mask_bt · ‖t_b − s_bt‖² / Σ_t mask_bt   (scalar):
 * for each sentence, the squared L2 distance between every real token's final state and *that
 * sentence's* teacher feature, averaged over its real tokens. Every token — the trigger's included — is
 * pulled toward the teacher's reading of the sentence; a pooled feature can match the teacher while one
 * token still carries the backdoor, a token state cannot. A distance, not a per-element mean: it is
 * about d times the pooled MSE, which is what makes FA the term that does the work at weight 1.
 */
export function tokenFeatureAlignmentLoss(teacherFeature: tf.Tensor2D, studentStates: tf.Tensor3D, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const target = tf.expandDims(stopGradient(teacherFeature), 1); // [B, 1, d]
    // square(sub), not squaredDifference: tfjs' SquaredDifference gradient does not reduce a broadcast operand.
    const perToken = tf.sum(tf.square(tf.sub(studentStates, target)), 2); // [B, T]: ‖·‖²
    const tokens = tf.maximum(tf.sum(mask, 1), 1); // [B]
    const perSentence = tf.div(tf.sum(tf.mul(perToken, mask), 1), tokens); // [B]
    return tf.mean(perSentence) as tf.Scalar;
  });
}

/**
 * The official code's FA read literally: its teacher returns the [B, d] feature as `hidden_states`, so
 * `hidden_states[-1]` is the *last sentence's* feature, and `MSELoss` broadcasts it over every position
 * of every sentence, padding included. teacherFeature: [B, d], studentStates: [B, T, d] →
 *   mean_{b,t,j} (s_btj − t_{B−1,j})²   (scalar).
 * Kept as an option so the lab can show that this form does not do what the paper describes.
 */
export function officialFeatureAlignmentLoss(teacherFeature: tf.Tensor2D, studentStates: tf.Tensor3D): tf.Scalar {
  return tf.tidy(() => {
    const [B, d] = teacherFeature.shape;
    const last = tf.reshape(tf.slice(stopGradient(teacherFeature), [B - 1, 0], [1, d]), [1, 1, d]); // [1, 1, d]
    return tf.mean(tf.square(tf.sub(studentStates, last))) as tf.Scalar; // broadcast: see tokenFeatureAlignmentLoss
  });
}

/** logits: [M, V] at the masked positions, targets: [M] int32 (the original tokens) → mean NLL (scalar). */
export function mlmLoss(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  return crossEntropy(logits, targets);
}
