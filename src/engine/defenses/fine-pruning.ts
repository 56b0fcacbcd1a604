/**
 * Fine-pruning (Liu et al., RAID 2018), for a transformer: a backdoor often rides on neurons that clean
 * inputs leave quiet. So rank the last block's feed-forward neurons by their mean activation on the
 * defender's clean data, prune the quietest in steps of 5 % while dev accuracy stays within
 * `finePruning.maxDevDrop` of the unpruned model's (and at most `maxRatio` of them), then fine-tune the
 * pruned model on clean data (a fresh LoRA, cross-entropy) with the pruned neurons held at zero.
 * Liu et al. prune the last convolutional layer, where features are most specialised; the last block's
 * FFN is its counterpart here.
 */
import * as tf from '@tensorflow/tfjs-core';
import { accuracy } from '../metrics/metrics';
import type { StudentModel } from '../models/student';
import { tokenMask } from '../models/pooling';
import { predictSetLabels } from '../train/evaluate';
import { cancellationPoint } from '../train/context';
import { crossEntropy } from '../train/losses';
import { tuneOnClean } from './clean-tuning';
import type { DefenseContext, DefenseOutcome, DefenseProcedure } from './procedure';

/** Share of the neurons each pruning step adds. */
const STEP_SHARE = 0.05;
const ACTIVITY_BATCH = 128;

/** Neuron indices from least to most active (ties by index, so the order is repeatable). */
export function pruningOrder(activity: ArrayLike<number>): number[] {
  return Array.from({ length: activity.length }, (_, i) => i).sort((a, b) => activity[a]! - activity[b]! || a - b);
}

/** 1 for kept neurons, 0 for the first `count` of `order`. */
export function keepMask(order: readonly number[], count: number): Float32Array {
  const keep = new Float32Array(order.length).fill(1);
  for (const i of order.slice(0, count)) keep[i] = 0;
  return keep;
}

/**
 * How many neurons to prune: grow by `step` while the dev accuracy with that many pruned stays at least
 * `base − maxDrop`, never past `maxCount`. `devAccuracyWith(n)` measures the model with n pruned.
 */
export async function choosePruneCount(devAccuracyWith: (count: number) => Promise<number>, maxCount: number, step: number, maxDrop: number): Promise<{ count: number; base: number; devAcc: number }> {
  const base = await devAccuracyWith(0);
  let chosen = { count: 0, devAcc: base };
  for (let count = step; count <= maxCount; count += step) {
    const devAcc = await devAccuracyWith(count);
    if (devAcc < base - maxDrop) break;
    chosen = { count, devAcc };
  }
  return { ...chosen, base };
}

/** Mean post-GELU activation of block `layer`'s FFN neurons over the real tokens of `ids`: [dFF]. */
export async function meanFfnActivity(student: StudentModel, ids: tf.Tensor2D, layer: number): Promise<Float32Array> {
  const [n, t] = ids.shape;
  const dFF = student.size.dFF;
  const total = new Float64Array(dFF);
  let tokens = 0;
  for (let start = 0; start < n; start += ACTIVITY_BATCH) {
    const size = Math.min(ACTIVITY_BATCH, n - start);
    const [sums, count] = tf.tidy(() => {
      const rows = tf.slice(ids, [start, 0], [size, t]) as tf.Tensor2D;
      const taps = { ffn: [] as tf.Tensor2D[] };
      student.encoder.hidden(rows, false, taps);
      const mask = tf.reshape(tokenMask(rows), [size * t, 1]);
      return [tf.sum(tf.mul(taps.ffn[layer]!, mask), 0), tf.sum(mask)];
    });
    const [s, c] = await Promise.all([sums.data(), count.data()]);
    tf.dispose([sums, count]);
    (s as Float32Array).forEach((v, i) => (total[i]! += v));
    tokens += c[0]!;
  }
  return Float32Array.from(total, (v) => v / Math.max(tokens, 1));
}

export const finePruning: DefenseProcedure = {
  async run(c: DefenseContext): Promise<DefenseOutcome> {
    const { cfg, data, ctx, stage } = c;
    const { maxRatio, maxDevDrop } = cfg.defense.finePruning;
    const student = c.poisonedCopy('init');
    try {
      const layer = cfg.models.student.layers - 1;
      const dFF = cfg.models.student.dFF;
      const step = Math.max(1, Math.round(STEP_SHARE * dFF));
      const maxCount = Math.floor(maxRatio * dFF);
      // The pruning search is the stage's first phase: one dev evaluation per step.
      ctx.emit({ type: 'stage-start', stage, phase: 'prune', epochs: 1, stepsPerEpoch: Math.floor(maxCount / step) + 1 });
      const order = pruningOrder(await meanFfnActivity(student, data.defenderClean.ids, layer));
      const devAccuracyWith = async (count: number) => {
        await cancellationPoint(ctx.signal);
        student.encoder.setFfnMask(layer, count > 0 ? keepMask(order, count) : null);
        return accuracy(await predictSetLabels(student, data.eval.dev), data.eval.dev.labelArray);
      };
      const chosen = await choosePruneCount(devAccuracyWith, maxCount, step, maxDevDrop);
      student.encoder.setFfnMask(layer, chosen.count > 0 ? keepMask(order, chosen.count) : null);
      ctx.emit({
        type: 'log',
        level: 'info',
        message: `${stage}: pruned ${chosen.count} of ${dFF} neurons of block ${layer + 1}'s FFN (dev accuracy ${(chosen.base * 100).toFixed(1)} % → ${(chosen.devAcc * 100).toFixed(1)} %), now fine-tuning.`,
      });
      const result = await tuneOnClean(c, student, {
        adapter: true,
        loss: (b) => crossEntropy(student.classify(b.ids, true).logits, b.labels),
      });
      // The adapter is merged: fold the pruning into ff2's weight, so the model is a plain student again.
      student.encoder.bakeFfnMasks();
      return { kind: 'repair', result: { ...result, prunedRatio: chosen.count / dFF }, model: student };
    } catch (error) {
      student.dispose();
      throw error;
    }
  },
};
