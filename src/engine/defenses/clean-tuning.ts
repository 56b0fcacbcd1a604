/**
 * The training every repair shares: the poisoned student (a copy) trained on the defender's clean data
 * with a fresh LoRA adapter — plus the head and, where the config says, the final LayerNorm — or with
 * every weight; the per-epoch CA/ASR; the adapter merged at the end; the weights it ends with (the last
 * epoch's, the paper's best by dev, or a mean of the last epochs': end-state.ts).
 * Each repair brings its own batch objective.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LossTerms, StageResult } from '../events';
import type { StudentModel } from '../models/student';
import { tokenMask } from '../models/pooling';
import { batchIds, stepsPerEpoch } from '../train/batches';
import { embeddingOf } from '../train/classification-stage';
import { evaluate } from '../train/evaluate';
import { fit } from '../train/fit';
import type { DefenseContext } from './procedure';
import { endStateFor } from './end-state';

/** One batch of the defender's clean data. */
interface CleanBatch {
  /** [B] int32: indices into the defender's set (for per-sample constants such as a teacher's). */
  rows: tf.Tensor1D;
  /** [B, W]: W is the window, or the batch's longest row when batches are grouped by length. */
  ids: tf.Tensor2D;
  labels: tf.Tensor1D;
  /** [B, W]: 1 at real tokens. */
  mask: tf.Tensor2D;
}

interface CleanTuning {
  /** A fresh LoRA adapter (the paper's setting) or every weight of the student (`full-ft`). */
  adapter: boolean;
  /** The training loss of one batch, in training mode. Runs inside a tape. */
  loss: (batch: CleanBatch) => tf.Scalar;
  /** The objective's terms, unweighted, measured after each epoch (distillation defenses). */
  terms?: (batch: CleanBatch) => { ce: tf.Scalar; kd: tf.Scalar | null; fa: tf.Scalar | null };
  /** A sub-phase of the stage, e.g. NAD's `teacher`; its epochs feed the progress bar, not the charts. */
  phase?: string;
  /** Emit the stage's `stage-start` (false for a later phase of a stage that already announced itself). */
  announce?: boolean;
}

/** Defender samples the loss terms are measured on after each epoch (a fixed slice: the same rows every epoch). */
const TERMS_SAMPLE = 256;

/** width: the token positions the batch keeps (`defense.batching: by-length`); absent, the whole window. */
function cleanBatch(c: DefenseContext, rows: tf.Tensor1D, width?: number): CleanBatch {
  const train = c.data.defenderClean;
  const ids = batchIds(train, rows, width);
  return { rows, ids, labels: tf.gather(train.labels, rows) as tf.Tensor1D, mask: tokenMask(ids) };
}

/** Trains `student` in place and returns the stage's result; the adapter is merged before returning. */
export async function tuneOnClean(c: DefenseContext, student: StudentModel, how: CleanTuning): Promise<StageResult> {
  const { cfg, ctx, stage } = c;
  const d = cfg.defense;
  const train = c.data.defenderClean;
  const phase = how.phase ? { phase: how.phase } : {};
  if (how.adapter) student.attachLora(d.lora, c.rng.fork(how.phase ? `${how.phase}-lora` : 'lora'));
  const norm = d.trainFinalNorm ? student.finalNormVariables() : [];
  const variables = how.adapter ? [...student.loraVariables(), ...student.headVariables(), ...norm] : student.classifierVariables();
  const measureTerms = how.terms
    ? async (): Promise<LossTerms> => {
        const terms = tf.tidy(() => {
          const t = how.terms!(cleanBatch(c, tf.range(0, Math.min(TERMS_SAMPLE, train.size), 1, 'int32') as tf.Tensor1D));
          return tf.stack([t.ce, t.kd ?? tf.scalar(0), t.fa ?? tf.scalar(0)]);
        });
        const [ce, kd, fa] = (await terms.data()) as Float32Array;
        terms.dispose();
        return { ce: ce!, kd: kd!, fa: fa! };
      }
    : undefined;
  if (how.announce ?? true) ctx.emit({ type: 'stage-start', stage, ...phase, epochs: d.epochs, stepsPerEpoch: stepsPerEpoch(train.size, d.batchSize) });
  const end = endStateFor(d);
  const out = await fit({
    stage,
    ...phase,
    optim: d,
    variables,
    trainSize: train.size,
    ...(d.batching === 'by-length' ? { groupByLength: train.lengths } : {}),
    batchLoss: (rows, width) => how.loss(cleanBatch(c, rows, width)),
    afterEpoch: async (epoch) => {
      const metrics = await evaluate(student, c.data.eval, cfg.attack.targetLabel);
      await end.afterEpoch(epoch, metrics, () => student.readWeights());
      return measureTerms ? { ...metrics, terms: await measureTerms() } : metrics;
    },
    rng: c.rng.fork(how.phase ? `${how.phase}-fit` : 'fit'),
    ctx,
    embedding: embeddingOf(student.encoder, train, d),
  });
  if (how.adapter) student.mergeLora();
  let final = out.epochs[out.epochs.length - 1]!;
  const chosen = end.chosen();
  if (chosen) {
    student.setWeights(chosen.weights);
    // A mean of epochs is a model no epoch evaluated: its metrics are measured here.
    final = { ...final, ...(chosen.metrics ?? (await evaluate(student, c.data.eval, cfg.attack.targetLabel))) };
    ctx.emit({ type: 'log', level: 'info', message: `${stage}${how.phase ? ` (${how.phase})` : ''}: ${chosen.message}.` });
  }
  return {
    epochs: out.epochs,
    final: { ca: final.ca, asr: final.asr, asrBase: final.asrBase },
    seconds: out.trainSeconds,
    samplesPerSecond: out.samplesPerSecond,
  };
}
