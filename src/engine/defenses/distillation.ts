/**
 * The objective family of W2SDefense and its baselines: a·CE + b·KD + c·FA against the weak teacher
 * (see train/defense-loss.ts), trained by `tuneOnClean`. `lora`, `w2sdefense`, `kd-only`, `fa-only` and
 * `full-ft` differ only in the weights they give the terms and whether they train an adapter.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentConfig } from '../config';
import { defenseLoss, defenseTerms, usesTeacher, type LossWeights } from '../train/defense-loss';
import { tuneOnClean } from './clean-tuning';
import type { DefenseContext, DefenseOutcome, DefenseProcedure } from './procedure';

export function distillation(weightsOf: (d: ExperimentConfig['defense']) => LossWeights, adapter = true): DefenseProcedure & { weights: typeof weightsOf } {
  return {
    weights: weightsOf,
    async run(c: DefenseContext): Promise<DefenseOutcome> {
      const d = c.cfg.defense;
      const w = weightsOf(d);
      const teacher = usesTeacher(w) ? c.weakTeacher() : null;
      const student = c.poisonedCopy('init');
      // Every-block FA needs the earlier blocks' states; the paper's (final) reads only the last.
      const outputs = (ids: tf.Tensor2D, training: boolean) =>
        d.faDepth === 'every-block' && w.fa > 0 ? student.classifyWithEveryBlock(ids, training) : student.classifyWithStates(ids, training);
      try {
        const targets = (rows: tf.Tensor1D) => (teacher ? { logits: tf.gather(teacher.logits, rows) as tf.Tensor2D, feature: tf.gather(teacher.feature, rows) as tf.Tensor2D } : null);
        const result = await tuneOnClean(c, student, {
          adapter,
          loss: (b) => defenseLoss(outputs(b.ids, true), targets(b.rows), b.labels, b.mask, w, d.temperature, d.faMode),
          // Each term unweighted, in eval mode: how the objective moves (only where there is a teacher to compare).
          ...(teacher ? { terms: (b) => defenseTerms(outputs(b.ids, false), targets(b.rows), b.labels, b.mask, d.temperature, d.faMode) } : {}),
        });
        return { kind: 'repair', result, model: student };
      } catch (error) {
        student.dispose();
        throw error;
      }
    },
  };
}
