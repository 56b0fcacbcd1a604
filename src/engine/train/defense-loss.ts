/**
 * The unlearning objective of each defense: a·CE + b·KD_T + c·FA (W2SDefense) and its ablations.
 * Each is trained on the defender's clean data only; whatever removes the backdoor must generalise
 * from clean inputs to triggered ones.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DefenseMethod, ExperimentConfig } from '../config';
import { crossEntropy, featureAlignmentLoss, kdLoss } from './losses';

export interface LossWeights {
  ce: number;
  kd: number;
  fa: number;
}

/**
 * `lora` and `full-ft` are the paper's plain fine-tuning baselines (CE alone). The ablations keep CE and
 * drop one distillation term, as the paper's "w/o FA" / "w/o KD" rows do.
 */
export function lossWeights(method: DefenseMethod, d: ExperimentConfig['defense']): LossWeights {
  switch (method) {
    case 'lora':
    case 'full-ft':
      return { ce: 1, kd: 0, fa: 0 };
    case 'w2sdefense':
      return { ce: d.ce, kd: d.kd, fa: d.fa };
    case 'kd-only':
      return { ce: d.ce, kd: d.kd, fa: 0 };
    case 'fa-only':
      return { ce: d.ce, kd: 0, fa: d.fa };
  }
}

/** Whether the method needs the teacher's logits and features at all. */
export function usesTeacher(w: LossWeights): boolean {
  return w.kd > 0 || w.fa > 0;
}

/**
 * student: logits [B, C], feature [B, d]; teacher (constants): logits [B, C], feature [B, d];
 * labels [B] int32 → scalar.
 */
export function defenseLoss(
  student: { logits: tf.Tensor2D; feature: tf.Tensor2D },
  teacher: { logits: tf.Tensor2D; feature: tf.Tensor2D } | null,
  labels: tf.Tensor1D,
  w: LossWeights,
  temperature: number,
): tf.Scalar {
  return tf.tidy(() => {
    let loss: tf.Scalar = tf.mul(w.ce, crossEntropy(student.logits, labels));
    if (teacher && w.kd > 0) loss = tf.add(loss, tf.mul(w.kd, kdLoss(student.logits, teacher.logits, temperature)));
    if (teacher && w.fa > 0) loss = tf.add(loss, tf.mul(w.fa, featureAlignmentLoss(teacher.feature, student.feature)));
    return loss;
  });
}
