/**
 * Masked-language-model pretraining on unlabelled text (the lab's stand-in for a pretrained LM).
 * Masks are drawn on the host (BERT's 80/10/10 rule) and only masked positions reach the vocabulary
 * projection, which keeps the step cheap.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EpochRecord, StageName } from '../events';
import type { Rng } from '../rng';
import { CLS, MASK, PAD, SPECIAL_TOKENS } from '../data/tokenizer';
import type { StageContext } from './context';
import type { Encoder } from '../models/encoder';
import { trainLoop } from './fit';
import { mlmLoss } from './losses';
import { pretrainPlan } from '../stages';

interface MlmModel {
  /** ids: [B, T] int32, positions: [M] flat indices into B·T → logits [M, V]. */
  mlmLogits(ids: tf.Tensor2D, positions: tf.Tensor1D, training: boolean): tf.Tensor2D;
  /** Everything the language-model objective trains (encoder and MLM head, not the classifier). */
  mlmVariables(): tf.Variable[];
  /** Whose token lookups each step plans (deterministic embedding gradients). */
  readonly encoder: Encoder;
  /** Restarts every dropout stream from `rng` (see `Encoder.reseedDropout`). */
  reseedDropout(rng: Rng): void;
}

export interface PretrainSpec {
  stage: StageName;
  phase?: string;
  /** Encoded unlabelled pool: [N · T] flat ids. */
  pool: Int32Array;
  maxLength: number;
  vocabSize: number;
  steps: number;
  lr: number;
  batchSize: number;
  maskRate: number;
  rng: Rng;
  ctx: StageContext;
}

interface MaskedBatch {
  ids: Int32Array;
  positions: Int32Array;
  targets: Int32Array;
}

/** BERT masking of a batch of rows drawn from the pool: 80 % [MASK], 10 % random word, 10 % kept. */
export function maskBatch(pool: Int32Array, maxLength: number, rows: number[], vocabSize: number, maskRate: number, rng: Rng): MaskedBatch {
  const ids = new Int32Array(rows.length * maxLength);
  const positions: number[] = [];
  const targets: number[] = [];
  const firstWord = SPECIAL_TOKENS.length;
  rows.forEach((row, r) => ids.set(pool.subarray(row * maxLength, (row + 1) * maxLength), r * maxLength));
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id === PAD || id === CLS || rng.next() >= maskRate) continue;
    positions.push(i);
    targets.push(id);
    const roll = rng.next();
    if (roll < 0.8) ids[i] = MASK;
    else if (roll < 0.9) ids[i] = firstWord + rng.int(vocabSize - firstWord);
  }
  if (positions.length === 0) {
    // Every batch must predict something: mask the first word of the first row.
    positions.push(1);
    targets.push(ids[1]!);
    ids[1] = MASK;
  }
  return { ids, positions: Int32Array.from(positions), targets: Int32Array.from(targets) };
}

/**
 * The masked-LM optimiser settings every language model here is trained with (the shipped checkpoints'
 * builder included): BERT's weight decay, a short warm-up, global-norm clipping at 1, and the whole
 * table updated each step (the tied decoder reads every row).
 */
export const MLM_OPTIM = { weightDecay: 0.01, warmupRatio: 0.06, clipNorm: 1, embeddingUpdate: 'dense' } as const;

/** Trains `model` for `spec.steps` MLM steps; reports about five "epochs" (chunks of steps) of loss. */
export async function pretrainMlm(model: MlmModel, spec: PretrainSpec): Promise<{ epochs: EpochRecord[]; seconds: number; samplesPerSecond: number }> {
  const { rng, maxLength } = spec;
  // The stage's masks come from its own stream, whatever the model trained before (see Encoder.reseedDropout).
  model.reseedDropout(rng.fork('dropout'));
  const poolSize = spec.pool.length / maxLength;
  const { epochs: chunks, stepsPerEpoch: perChunk } = pretrainPlan(spec.steps);
  /** Chunk `chunk`'s batches: rows drawn with replacement, each batch masked as it is drawn. */
  const chunkBatches = (chunk: number): MaskedBatch[] =>
    Array.from({ length: Math.min(spec.steps, chunk * perChunk) - (chunk - 1) * perChunk }, () => {
      const rows = Array.from({ length: spec.batchSize }, () => rng.int(poolSize));
      return maskBatch(spec.pool, maxLength, rows, spec.vocabSize, spec.maskRate, rng);
    });
  const out = await trainLoop<MaskedBatch, object>({
    stage: spec.stage,
    ...(spec.phase ? { phase: spec.phase } : {}),
    optim: { ...MLM_OPTIM, epochs: chunks, lr: spec.lr },
    variables: model.mlmVariables(),
    batches: chunkBatches,
    plannedSteps: spec.steps,
    stepsPerEpoch: perChunk,
    batchSize: () => spec.batchSize,
    batchLoss: (batch) => {
      const ids = tf.tensor2d(batch.ids, [spec.batchSize, maxLength], 'int32'); // [B, T]
      const positions = tf.tensor1d(batch.positions, 'int32'); // [M]
      const targets = tf.tensor1d(batch.targets, 'int32'); // [M]
      return mlmLoss(model.mlmLogits(ids, positions, true), targets); // inside the step's tidy: inputs freed with it
    },
    embedding: { encoder: model.encoder, update: MLM_OPTIM.embeddingUpdate, tokenIds: (batch) => batch.ids },
    ctx: spec.ctx,
  });
  return { epochs: out.epochs, seconds: out.trainSeconds, samplesPerSecond: out.samplesPerSecond };
}
