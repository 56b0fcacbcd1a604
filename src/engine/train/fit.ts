/**
 * The one supervised training loop every classification stage uses (task model, poison, teacher, and
 * every defense that fine-tunes):
 * shuffled batches, AdamW on exactly the variables given, linear warm-up/decay, global-norm clipping,
 * step events with samples/s, metrics after every epoch, cancellation between steps.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OptimConfig } from '../config';
import type { EpochRecord, LossTerms, StageName } from '../events';
import type { Rng } from '../rng';
import { epochBatches, stepsPerEpoch } from './batches';
import { throwIfCancelled, yieldToEventLoop, type StageContext } from './context';
import { LossWindow } from './loss-window';
import { AdamW, globalNormScale } from './optimizer';
import { EmbeddingSteps, type EmbeddingOptions, type RowStep } from './embedding-steps';
import { lrAt } from './schedule';
import type { Evaluation } from './evaluate';

interface FitSpec {
  stage: StageName;
  phase?: string;
  optim: OptimConfig;
  /** Only these are updated: adapters and head in LoRA stages, everything in full fine-tuning. */
  variables: tf.Variable[];
  trainSize: number;
  /** Loss of one batch; rows: [B] int32 indices into the training set. Runs inside a tape. */
  batchLoss: (rows: tf.Tensor1D) => tf.Scalar;
  /** Metrics after each epoch (1-based). */
  afterEpoch: (epoch: number) => Promise<Evaluation & { terms?: LossTerms }>;
  rng: Rng;
  ctx: StageContext;
  /** Steps between loss read-backs (each one is a device sync). */
  logEvery?: number;
  /** Runs after every optimiser step, e.g. to hold pinned embedding rows in place. */
  afterStep?: () => void;
  /** Where `variables` include an encoder's token embedding: how its steps look tokens up (see `EmbeddingSteps`). */
  embedding?: EmbeddingSpec;
  /**
   * Asked after each epoch's record is emitted: true ends training there, `optim.epochs` being the cap
   * (poisoning until the backdoor is planted). The learning-rate schedule stays the one planned for the
   * cap: an early stop simply leaves the decay unfinished, as the official code's ASR check does.
   */
  stopAfterEpoch?: (record: EpochRecord & Evaluation) => boolean;
}

/** The token embedding of a stage that trains it. */
export interface EmbeddingSpec extends EmbeddingOptions {
  /** The batch's token ids, flat [B·T], from host memory: rows are indices into the training set. */
  tokenIds: (rows: Int32Array) => Int32Array;
}

interface FitResult {
  epochs: (EpochRecord & Evaluation)[];
  /** Wall time of the training steps alone, evaluation excluded. */
  trainSeconds: number;
  samplesPerSecond: number;
}

/** One optimisation step; returns the batch loss (caller disposes). */
export function trainStep(
  variables: tf.Variable[],
  optimizer: AdamW,
  loss: () => tf.Scalar,
  lr: number,
  clipNorm: number,
  sparse?: RowStep,
): tf.Scalar {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(loss, sparse ? [...variables, sparse.rows.variable] : variables);
    // The rows' gradient holds every non-zero of the table's, so the global norm is the same.
    const scale = clipNorm > 0 ? globalNormScale(grads, clipNorm).factor : undefined;
    if (sparse) {
      const name = sparse.rows.variable.name;
      sparse.optimizer.step(sparse.rows.plan, sparse.rows.variable as tf.Tensor2D, grads[name] as tf.Tensor2D | undefined, lr, scale);
      delete grads[name];
    }
    optimizer.step(grads, lr, scale);
    return value;
  });
}

/** Steps between read-backs: about four per epoch, at most ten. */
export function defaultLogEvery(stepsPerEpoch: number): number {
  return Math.max(1, Math.min(10, Math.floor(stepsPerEpoch / 4)));
}

export async function fit(spec: FitSpec): Promise<FitResult> {
  const { optim, ctx } = spec;
  const perEpoch = stepsPerEpoch(spec.trainSize, optim.batchSize);
  const totalSteps = perEpoch * optim.epochs;
  const logEvery = spec.logEvery ?? defaultLogEvery(perEpoch);
  // Only a stage that trains the table plans its lookups (LoRA stages keep the plain gather).
  const e = spec.embedding;
  const embedding = e && spec.variables.includes(e.encoder.tokenEmbedding) ? { tokenIds: e.tokenIds, steps: new EmbeddingSteps(e, spec.variables, optim.weightDecay) } : null;
  const denseVariables = embedding?.steps.denseVariables ?? spec.variables;
  const optimizer = new AdamW(denseVariables, { weightDecay: optim.weightDecay });
  const window = new LossWindow();
  const phase = spec.phase ? { phase: spec.phase } : {};
  const epochs: FitResult['epochs'] = [];
  let step = 0;
  try {
    for (let epoch = 1; epoch <= optim.epochs; epoch++) {
      let lossSum = 0;
      window.restartClock();
      const batches = epochBatches(spec.trainSize, optim.batchSize, spec.rng);
      for (let b = 0; b < batches.length; b++) {
        throwIfCancelled(ctx.signal);
        const rows = tf.tensor1d(batches[b]!, 'int32');
        const lr = lrAt(step++, totalSteps, optim);
        const trainOne = (sparse?: RowStep) => trainStep(denseVariables, optimizer, () => spec.batchLoss(rows), lr, optim.clipNorm, sparse);
        window.push(embedding ? embedding.steps.run(embedding.tokenIds(batches[b]!), trainOne) : trainOne(), batches[b]!.length);
        rows.dispose();
        spec.afterStep?.();
        if (window.size >= logEvery || b === batches.length - 1) {
          const reading = await window.flush();
          lossSum += reading.lossSum;
          ctx.emit({
            type: 'step',
            stage: spec.stage,
            ...phase,
            epoch,
            step: b + 1,
            stepsPerEpoch: perEpoch,
            loss: reading.meanLoss,
            samplesPerSecond: reading.samplesPerSecond,
          });
        }
        await yieldToEventLoop(); // lets a cancel or a predict request in between steps
      }
      embedding?.steps.flush();
      const metrics = await spec.afterEpoch(epoch);
      const record = { epoch, loss: lossSum / batches.length, ...metrics };
      epochs.push(record);
      ctx.emit({ type: 'epoch', stage: spec.stage, ...phase, ...record });
      if (spec.stopAfterEpoch?.(record)) break;
    }
  } finally {
    window.dispose(); // a cancel mid-window leaves unread losses
    embedding?.steps.flush();
    embedding?.steps.dispose();
    optimizer.dispose();
  }
  return { epochs, trainSeconds: window.trainMs / 1000, samplesPerSecond: window.samplesPerSecond };
}
