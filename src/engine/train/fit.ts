/**
 * The one training loop of the engine: every classification stage (task model, poison, teacher, and
 * every defense that fine-tunes) and masked-LM pretraining run it. Batches in the order the stage
 * draws them, AdamW on exactly the variables given (`Stepper`), linear warm-up/decay, global-norm
 * clipping, step events with samples/s, an epoch record (with the stage's metrics) after every epoch,
 * cancellation between steps.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OptimConfig } from '../config';
import type { EpochRecord, LossTerms, StageName } from '../events';
import type { Rng } from '../rng';
import { epochBatches, lengthGroupedBatches, stepsPerEpoch, type Batch } from './batches';
import { throwIfCancelled, yieldToEventLoop, type StageContext } from './context';
import { LossWindow } from './loss-window';
import { AdamW, globalNormScale } from './optimizer';
import { EmbeddingSteps, type EmbeddingOptions, type RowStep } from './embedding-steps';
import { lrAt } from './schedule';
import type { Evaluation } from './evaluate';

/** What a step needs of the optimiser settings. */
type StepSettings = Pick<OptimConfig, 'weightDecay' | 'clipNorm'>;

/** What the loop needs of the optimiser settings: the step's, and the schedule's. */
type LoopSettings = StepSettings & Pick<OptimConfig, 'epochs' | 'lr' | 'warmupRatio'>;

/** The token embedding of a stage that trains it. */
export interface EmbeddingSpec extends EmbeddingOptions {
  /** The batch's token ids, flat [B·width], from host memory: rows are indices into the training set; width absent: the window. */
  tokenIds: (rows: Int32Array, width?: number) => Int32Array;
}

/** The loop over batches of any kind (`Batch`): rows of a training set, or masked-LM batches. */
export interface LoopSpec<Batch, Metrics extends object> {
  stage: StageName;
  phase?: string;
  optim: LoopSettings;
  /** Only these are updated: adapters and head in LoRA stages, everything in full fine-tuning. */
  variables: tf.Variable[];
  /** Epoch `epoch`'s batches (1-based), drawn when the epoch starts. */
  batches: (epoch: number) => Batch[];
  /** Steps the learning-rate schedule is planned over (the cap's, when training may stop early). */
  plannedSteps: number;
  /** Steps per epoch, as step events report it. */
  stepsPerEpoch: number;
  /** Samples in a batch (for samples/s). */
  batchSize: (batch: Batch) => number;
  /** Loss of one batch. Runs inside a tape. */
  batchLoss: (batch: Batch) => tf.Scalar;
  /** Metrics after each epoch (1-based), added to its record. */
  afterEpoch?: (epoch: number) => Promise<Metrics>;
  ctx: StageContext;
  /** Steps between loss read-backs (each one is a device sync). */
  logEvery?: number;
  /** Runs after every optimiser step, e.g. to hold pinned embedding rows in place. */
  afterStep?: () => void;
  /** Where `variables` include an encoder's token embedding: how its steps look tokens up (see `EmbeddingSteps`). */
  embedding?: EmbeddingOptions & { tokenIds: (batch: Batch) => Int32Array };
  /**
   * Asked after each epoch's record is emitted: true ends training there, `optim.epochs` being the cap
   * (poisoning until the backdoor is planted). The learning-rate schedule stays the one planned for the
   * cap: an early stop simply leaves the decay unfinished, as the official code's ASR check does.
   */
  stopAfterEpoch?: (record: EpochRecord & Metrics) => boolean;
}

export interface LoopResult<Metrics extends object> {
  epochs: (EpochRecord & Metrics)[];
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

/**
 * The optimiser state of one stage and its step: AdamW on `variables` and, where they include an
 * encoder's token table, the planned lookups (and, under `update: 'rows'`, the sparse row update).
 * The loop steps it; the step benchmark times exactly this.
 */
export class Stepper {
  private readonly embedding: EmbeddingSteps | null;
  private readonly dense: tf.Variable[];
  private readonly optimizer: AdamW;

  constructor(
    variables: tf.Variable[],
    private readonly settings: StepSettings,
    embedding?: EmbeddingOptions,
  ) {
    // Only a stage that trains the table plans its lookups (LoRA stages keep the plain gather).
    this.embedding = embedding && variables.includes(embedding.encoder.tokenEmbedding) ? new EmbeddingSteps(embedding, variables, settings.weightDecay) : null;
    this.dense = this.embedding?.denseVariables ?? variables;
    this.optimizer = new AdamW(this.dense, { weightDecay: settings.weightDecay });
  }

  /** One step at learning rate `lr`; `tokenIds` (flat [B·T]) are the batch's when the table trains. Returns the loss (caller disposes). */
  step(loss: () => tf.Scalar, lr: number, tokenIds?: () => Int32Array): tf.Scalar {
    const one = (sparse?: RowStep) => trainStep(this.dense, this.optimizer, loss, lr, this.settings.clipNorm, sparse);
    if (!this.embedding) return one();
    if (!tokenIds) throw new Error('a step that trains the token table needs the batch\'s token ids');
    return this.embedding.run(tokenIds(), one);
  }

  /** Gives the table its true values (a sparse update owes decay): before anything reads it. */
  flush(): void {
    this.embedding?.flush();
  }

  /** Frees the optimiser state (without a `flush`: the table may already be gone). */
  dispose(): void {
    this.embedding?.dispose();
    this.optimizer.dispose();
  }
}

/** Steps between read-backs: about four per epoch, at most ten. */
export function defaultLogEvery(stepsPerEpoch: number): number {
  return Math.max(1, Math.min(10, Math.floor(stepsPerEpoch / 4)));
}

export async function trainLoop<Batch, Metrics extends object>(spec: LoopSpec<Batch, Metrics>): Promise<LoopResult<Metrics>> {
  const { optim, ctx } = spec;
  const logEvery = spec.logEvery ?? defaultLogEvery(spec.stepsPerEpoch);
  const e = spec.embedding;
  const stepper = new Stepper(spec.variables, optim, e);
  const window = new LossWindow();
  const phase = spec.phase ? { phase: spec.phase } : {};
  const epochs: LoopResult<Metrics>['epochs'] = [];
  let step = 0;
  try {
    for (let epoch = 1; epoch <= optim.epochs; epoch++) {
      let lossSum = 0;
      window.restartClock();
      const batches = spec.batches(epoch);
      for (let b = 0; b < batches.length; b++) {
        throwIfCancelled(ctx.signal);
        const batch = batches[b]!;
        const lr = lrAt(step++, spec.plannedSteps, optim);
        window.push(stepper.step(() => spec.batchLoss(batch), lr, e && (() => e.tokenIds(batch))), spec.batchSize(batch));
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
            stepsPerEpoch: spec.stepsPerEpoch,
            loss: reading.meanLoss,
            samplesPerSecond: reading.samplesPerSecond,
          });
        }
        await yieldToEventLoop(); // lets a cancel or a predict request in between steps
      }
      stepper.flush();
      const metrics = spec.afterEpoch ? await spec.afterEpoch(epoch) : ({} as Metrics);
      const record = { epoch, loss: lossSum / Math.max(batches.length, 1), ...metrics };
      epochs.push(record);
      ctx.emit({ type: 'epoch', stage: spec.stage, ...phase, ...record });
      if (spec.stopAfterEpoch?.(record)) break;
    }
  } finally {
    window.dispose(); // a cancel mid-window leaves unread losses
    stepper.flush();
    stepper.dispose();
  }
  return { epochs, trainSeconds: window.trainMs / 1000, samplesPerSecond: window.samplesPerSecond };
}

interface FitSpec {
  stage: StageName;
  phase?: string;
  optim: OptimConfig;
  variables: tf.Variable[];
  trainSize: number;
  /** The training rows' lengths: given, each epoch's batches are grouped by length and trimmed (`lengthGroupedBatches`). */
  groupByLength?: Int32Array;
  /**
   * Loss of one batch; rows: [B] int32 indices into the training set; width: the token positions to
   * compute (absent: the whole window). Runs inside a tape.
   */
  batchLoss: (rows: tf.Tensor1D, width?: number) => tf.Scalar;
  /** Metrics after each epoch (1-based). */
  afterEpoch: (epoch: number) => Promise<Evaluation & { terms?: LossTerms }>;
  rng: Rng;
  ctx: StageContext;
  logEvery?: number;
  afterStep?: () => void;
  embedding?: EmbeddingSpec;
  stopAfterEpoch?: (record: EpochRecord & Evaluation) => boolean;
}

/** The loop over shuffled (or length-grouped) batches of a training set's rows: every classification stage. */
export function fit(spec: FitSpec): Promise<LoopResult<Evaluation & { terms?: LossTerms }>> {
  const { optim, embedding, groupByLength, ...rest } = spec;
  const perEpoch = stepsPerEpoch(spec.trainSize, optim.batchSize);
  return trainLoop<Batch, Evaluation & { terms?: LossTerms }>({
    ...rest,
    optim,
    batches: () =>
      groupByLength
        ? lengthGroupedBatches(groupByLength, optim.batchSize, spec.rng)
        : epochBatches(spec.trainSize, optim.batchSize, spec.rng).map((rows) => ({ rows })),
    plannedSteps: perEpoch * optim.epochs,
    stepsPerEpoch: perEpoch,
    batchSize: (batch) => batch.rows.length,
    batchLoss: (batch) => spec.batchLoss(tf.tensor1d(batch.rows, 'int32'), batch.width),
    ...(embedding ? { embedding: { ...embedding, tokenIds: (batch: Batch) => embedding.tokenIds(batch.rows, batch.width) } } : {}),
  });
}
