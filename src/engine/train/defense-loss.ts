/**
 * The unlearning objective of W2SDefense, a·CE + b·KD_T + c·FA, and of its ablations and baselines,
 * which set some weights to 0 (each defense's weights: defenses/<id>.ts). Each is trained on the
 * defender's clean data only; whatever removes the backdoor must generalise from clean inputs to
 * triggered ones.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FaMode } from '../config';
import { crossEntropy, featureAlignmentLoss, kdLoss, officialFeatureAlignmentLoss, tokenFeatureAlignmentLoss } from './losses';

export interface LossWeights {
  ce: number;
  kd: number;
  fa: number;
}

/** Whether the method needs the teacher's logits and features at all. */
export function usesTeacher(w: LossWeights): boolean {
  return w.kd > 0 || w.fa > 0;
}

/**
 * What the student hands the objective: logits [B, C], pooled feature [B, d], final token states
 * [B, T, d]; for every-block FA also the earlier blocks' states through the final norm, [B, T, d] each.
 */
interface StudentOutputs {
  logits: tf.Tensor2D;
  feature: tf.Tensor2D;
  states: tf.Tensor3D;
  earlierStates?: tf.Tensor3D[];
}

/** The teacher's constants for a batch: logits [B, C], projected feature [B, d]. */
export interface TeacherTargets {
  logits: tf.Tensor2D;
  feature: tf.Tensor2D;
}

/** FA in the chosen form; mask: [B, T], 1 at real tokens. */
function featureAlignment(mode: FaMode, teacherFeature: tf.Tensor2D, student: StudentOutputs, mask: tf.Tensor2D): tf.Scalar {
  switch (mode) {
    case 'token': {
      // Every depth given, averaged: the term keeps the per-token distance's scale whatever the depth.
      const depths = [student.states, ...(student.earlierStates ?? [])];
      const terms = depths.map((states) => tokenFeatureAlignmentLoss(teacherFeature, states, mask));
      return (terms.length === 1 ? terms[0]! : tf.div(tf.addN(terms), terms.length)) as tf.Scalar;
    }
    case 'pooled':
      return featureAlignmentLoss(teacherFeature, student.feature);
    case 'official':
      return officialFeatureAlignmentLoss(teacherFeature, student.states);
  }
}

/**
 * Each term unweighted (scalars). KD and FA are null without a teacher, and — when `w` is given — where
 * their weight is 0 (not computed at all: a step pays only for the terms it uses).
 */
export function defenseTerms(
  student: StudentOutputs,
  teacher: TeacherTargets | null,
  labels: tf.Tensor1D,
  mask: tf.Tensor2D,
  temperature: number,
  faMode: FaMode,
  w?: LossWeights,
): { ce: tf.Scalar; kd: tf.Scalar | null; fa: tf.Scalar | null } {
  return {
    ce: crossEntropy(student.logits, labels),
    kd: teacher && (!w || w.kd > 0) ? kdLoss(student.logits, teacher.logits, temperature) : null,
    fa: teacher && (!w || w.fa > 0) ? featureAlignment(faMode, teacher.feature, student, mask) : null,
  };
}

/** The weighted sum a·CE + b·KD + c·FA (scalar); terms with weight 0 are not computed. */
export function defenseLoss(
  student: StudentOutputs,
  teacher: TeacherTargets | null,
  labels: tf.Tensor1D,
  mask: tf.Tensor2D,
  w: LossWeights,
  temperature: number,
  faMode: FaMode,
): tf.Scalar {
  return tf.tidy(() => {
    const t = defenseTerms(student, teacher, labels, mask, temperature, faMode, w);
    let loss: tf.Scalar = tf.mul(w.ce, t.ce);
    if (t.kd) loss = tf.add(loss, tf.mul(w.kd, t.kd));
    if (t.fa) loss = tf.add(loss, tf.mul(w.fa, t.fa));
    return loss;
  });
}
