/**
 * A classifier fine-tuned on a labelled set by cross-entropy, epoch by epoch with CA/ASR/asrBase after
 * each: the public task model, the poisoning and the teacher (the repairs train through `fit` in
 * defenses/clean-tuning.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentConfig, OptimConfig } from '../config';
import type { EpochRecord, StageName, StageResult } from '../events';
import type { Encoder } from '../models/encoder';
import type { StudentModel } from '../models/student';
import type { TeacherModel } from '../models/teacher';
import type { Rng } from '../rng';
import { batchIds, batchTokenIds, stepsPerEpoch, type EncodedSet } from './batches';
import type { StageContext } from './context';
import { evaluate, type EvalSets, type Evaluation } from './evaluate';
import { fit, type EmbeddingSpec } from './fit';
import { crossEntropy } from './losses';

interface ClassificationSpec {
  stage: StageName;
  /** A sub-phase of the stage (its progress bar and epoch events carry it), e.g. NAD's `teacher`. */
  phase?: string;
  optim: OptimConfig;
  variables: tf.Variable[];
  model: StudentModel | TeacherModel;
  train: EncodedSet;
  evalSets: EvalSets;
  cfg: ExperimentConfig;
  ctx: StageContext;
  rng: Rng;
  /** Emit the stage's `stage-start` (false where the caller already did, for a multi-phase stage). */
  announce?: boolean;
  afterStep?: () => void;
  /** Embedding rows the sparse update leaves as they are (see `pinTriggerRows`). */
  frozenRows?: readonly number[];
  /** Ends training early after an epoch (see `fit`): poisoning stops once the backdoor is planted. */
  stopAfterEpoch?: (record: EpochRecord & Evaluation) => boolean;
}

export async function classificationStage(spec: ClassificationSpec): Promise<StageResult> {
  const { stage, optim, model, train, ctx } = spec;
  if (spec.announce ?? true) {
    ctx.emit({ type: 'stage-start', stage, ...(spec.phase ? { phase: spec.phase } : {}), epochs: optim.epochs, stepsPerEpoch: stepsPerEpoch(train.size, optim.batchSize) });
  }
  // The stage's masks come from its own stream, whatever the model trained before (see Encoder.reseedDropout).
  model.reseedDropout(spec.rng.fork('dropout'));
  const out = await fit({
    stage,
    ...(spec.phase ? { phase: spec.phase } : {}),
    optim,
    variables: spec.variables,
    trainSize: train.size,
    batchLoss: (rows) => crossEntropy(model.classify(batchIds(train, rows), true).logits, tf.gather(train.labels, rows)),
    afterEpoch: () => evaluate(model, spec.evalSets, spec.cfg.attack.targetLabel),
    rng: spec.rng,
    ctx,
    ...(spec.afterStep ? { afterStep: spec.afterStep } : {}),
    ...(spec.stopAfterEpoch ? { stopAfterEpoch: spec.stopAfterEpoch } : {}),
    embedding: embeddingOf(model.encoder, train, optim, spec.frozenRows),
  });
  const last = out.epochs[out.epochs.length - 1]!;
  return { epochs: out.epochs, final: { ca: last.ca, asr: last.asr, asrBase: last.asrBase }, seconds: out.trainSeconds, samplesPerSecond: out.samplesPerSecond };
}

/** How a stage on `train` looks tokens up when it trains the encoder's embedding (see embedding-steps.ts). */
export function embeddingOf(encoder: Encoder, train: EncodedSet, optim: OptimConfig, frozenRows?: readonly number[]): EmbeddingSpec {
  return { encoder, tokenIds: (rows, width) => batchTokenIds(train, rows, width), update: optim.embeddingUpdate, ...(frozenRows ? { frozenRows } : {}) };
}
