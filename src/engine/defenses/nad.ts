/**
 * NAD, neural attention distillation (Li et al., ICLR 2021): fine-tune a copy of the poisoned model on
 * the clean data (the teacher: strong, the student's own size), then train the poisoned model on the
 * clean data with CE + β·(attention-transfer loss) towards the teacher. The teacher's fine-tuning is the
 * `lora` repair's recipe, so a run that has that repair hands NAD its model (catalog `buildsOn`) instead
 * of training the same thing twice; a run without it trains the teacher here.
 *
 * An "attention map" is NAD's own, activation-based one (Zagoruyko & Komodakis' attention transfer):
 * for each layer's output F (here each block's residual stream, [T, d] per sentence),
 * A = mean over channels of F², one value per token, padding zeroed, then L2-normalised over the tokens.
 * The loss sums, over the layers, the mean over the batch of ‖A_student − A_teacher‖₂.
 * It is the strong-teacher counterpart of W2SDefense's weak teacher.
 */
import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy } from '../train/losses';
import { cancellationPoint } from '../train/context';
import { tokenMask } from '../models/pooling';
import type { StudentModel } from '../models/student';
import { tuneOnClean } from './clean-tuning';
import type { DefenseContext, DefenseOutcome, DefenseProcedure } from './procedure';

const MAP_BATCH = 128;

/** NAD's map of one layer: h: [B·T, d] (row b·T + t), mask: [B, T] → [B, T], each row of unit L2 norm (0 if all padding). */
export function attentionMap(h: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [B, T] = mask.shape;
    const energy = tf.mul(tf.reshape(tf.mean(tf.square(h), 1), [B, T]), mask);
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(energy), 1, true), 1e-12));
    return tf.div(energy, norm) as tf.Tensor2D;
  });
}

/** Σ over layers of the batch mean of ‖A_s − A_t‖₂; the ε keeps the gradient finite where the maps agree. */
export function attentionTransferLoss(student: readonly tf.Tensor2D[], teacher: readonly tf.Tensor2D[]): tf.Scalar {
  if (student.length !== teacher.length) throw new Error(`NAD compares ${student.length} student layers with ${teacher.length} teacher layers`);
  return tf.tidy(() => tf.addN(student.map((s, l) => tf.mean(tf.sqrt(tf.add(tf.sum(tf.square(tf.sub(s, teacher[l]!)), 1), 1e-12))))) as tf.Scalar);
}

/** Every layer's map for every row of `ids`, in eval mode: one [N, T] tensor per block. */
async function teacherMaps(teacher: StudentModel, ids: tf.Tensor2D, signal?: AbortSignal): Promise<tf.Tensor2D[]> {
  const [n, t] = ids.shape;
  const perLayer: tf.Tensor2D[][] = teacher.encoder.blocks.map(() => []);
  try {
    for (let start = 0; start < n; start += MAP_BATCH) {
      await cancellationPoint(signal);
      const size = Math.min(MAP_BATCH, n - start);
      const maps = tf.tidy(() => {
        const rows = tf.slice(ids, [start, 0], [size, t]) as tf.Tensor2D;
        const taps = { blocks: [] as tf.Tensor2D[] };
        teacher.encoder.hidden(rows, false, taps);
        const mask = tokenMask(rows);
        return taps.blocks.map((h) => attentionMap(h, mask));
      });
      maps.forEach((m, l) => perLayer[l]!.push(m));
      await maps[0]?.data(); // one sync per batch keeps the queue short on WebGPU
    }
    return perLayer.map((parts) => tf.concat(parts, 0) as tf.Tensor2D);
  } finally {
    tf.dispose(perLayer.flat());
  }
}

export const nad: DefenseProcedure = {
  async run(c: DefenseContext): Promise<DefenseOutcome> {
    const { beta } = c.cfg.defense.nad;
    let maps: tf.Tensor2D[] = [];
    const clean = c.poisonedCopy('teacher-init');
    try {
      if (c.basis) {
        // The same recipe has already run: the `lora` repair is this teacher, trained once for both.
        clean.setWeights(c.basis.weights);
        c.ctx.emit({ type: 'log', level: 'info', message: `${c.stage}: its teacher is the ${c.basis.method} repair's model (the poisoned student fine-tuned on the clean data with a fresh LoRA adapter, NAD's recipe).` });
      } else {
        c.ctx.emit({ type: 'log', level: 'info', message: `${c.stage}: fine-tuning a copy of the poisoned student on the clean data (the teacher).` });
        await tuneOnClean(c, clean, { adapter: true, phase: 'teacher', loss: (b) => crossEntropy(clean.classify(b.ids, true).logits, b.labels) });
      }
      maps = await teacherMaps(clean, c.data.defenderClean.ids, c.ctx.signal);
    } finally {
      clean.dispose();
    }
    const student = c.poisonedCopy('init');
    try {
      const result = await tuneOnClean(c, student, {
        adapter: true,
        loss: (b) =>
          tf.tidy(() => {
            const taps = { blocks: [] as tf.Tensor2D[] };
            const { logits } = student.classifyWithStates(b.ids, true, taps);
            const mine = taps.blocks.map((h) => attentionMap(h, b.mask));
            // The maps span the window; a batch grouped by length is narrower (its cut-off positions are padding, 0 in every map).
            const theirs = maps.map((m) => tf.slice(tf.gather(m, b.rows), [0, 0], [-1, b.ids.shape[1]]) as tf.Tensor2D);
            return tf.add(crossEntropy(logits, b.labels), tf.mul(beta, attentionTransferLoss(mine, theirs))) as tf.Scalar;
          }),
      });
      return { kind: 'repair', result, model: student };
    } catch (error) {
      student.dispose();
      throw error;
    } finally {
      tf.dispose(maps);
    }
  },
};
