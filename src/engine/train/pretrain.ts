/**
 * Masked-language-model pretraining on unlabelled text (the lab's stand-in for a pretrained LM).
 * Masks are drawn on the host (BERT's 80/10/10 rule) and only masked positions reach the vocabulary
 * projection, which keeps the step cheap.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EpochRecord, StageName } from '../events';
import type { Rng } from '../rng';
import { CLS, MASK, PAD, SPECIAL_TOKENS } from '../data/tokenizer';
import { throwIfCancelled, yieldToEventLoop, type StageContext } from './context';
import type { Encoder } from '../models/encoder';
import { EmbeddingSteps } from './embedding-steps';
import { AdamW } from './optimizer';
import { lrAt } from './schedule';
import { defaultLogEvery, trainStep } from './fit';
import { LossWindow } from './loss-window';
import { mlmLoss } from './losses';

interface MlmModel {
  /** ids: [B, T] int32, positions: [M] flat indices into B·T → logits [M, V]. */
  mlmLogits(ids: tf.Tensor2D, positions: tf.Tensor1D, training: boolean): tf.Tensor2D;
  /** Everything the language-model objective trains (encoder and MLM head, not the classifier). */
  mlmVariables(): tf.Variable[];
  /** Whose token lookups each step plans (deterministic embedding gradients). */
  readonly encoder: Encoder;
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

/** Trains `model` for `spec.steps` MLM steps; reports about five "epochs" (chunks of steps) of loss. */
export async function pretrainMlm(model: MlmModel, spec: PretrainSpec): Promise<{ epochs: EpochRecord[]; seconds: number; samplesPerSecond: number }> {
  const { ctx, rng, maxLength } = spec;
  const poolSize = spec.pool.length / maxLength;
  const chunks = Math.min(5, spec.steps);
  const perChunk = Math.ceil(spec.steps / chunks);
  const variables = model.mlmVariables();
  // Dense: the tied decoder reads every row of the table each step.
  const embedding = new EmbeddingSteps({ encoder: model.encoder, update: 'dense' }, variables, 0.01);
  const optimizer = new AdamW(variables, { weightDecay: 0.01 });
  const window = new LossWindow();
  const phase = spec.phase ? { phase: spec.phase } : {};
  const epochs: EpochRecord[] = [];
  const logEvery = defaultLogEvery(perChunk);
  try {
    for (let chunk = 1, step = 0; chunk <= chunks; chunk++) {
      let lossSum = 0;
      let count = 0;
      window.restartClock();
      const chunkEnd = Math.min(spec.steps, chunk * perChunk);
      for (let inChunk = 1; step < chunkEnd; step++, inChunk++) {
        throwIfCancelled(ctx.signal);
        const rows = Array.from({ length: spec.batchSize }, () => rng.int(poolSize));
        const batch = maskBatch(spec.pool, maxLength, rows, spec.vocabSize, spec.maskRate, rng);
        const ids = tf.tensor2d(batch.ids, [rows.length, maxLength], 'int32');
        const positions = tf.tensor1d(batch.positions, 'int32');
        const targets = tf.tensor1d(batch.targets, 'int32');
        const lr = lrAt(step, spec.steps, { lr: spec.lr, warmupRatio: 0.06 });
        const trainOne = () => trainStep(variables, optimizer, () => mlmLoss(model.mlmLogits(ids, positions, true), targets), lr, 1);
        window.push(embedding.run(batch.ids, trainOne), rows.length);
        tf.dispose([ids, positions, targets]);
        if (window.size >= logEvery || step === chunkEnd - 1) {
          const reading = await window.flush();
          lossSum += reading.lossSum;
          count += reading.steps;
          ctx.emit({ type: 'step', stage: spec.stage, ...phase, epoch: chunk, step: inChunk, stepsPerEpoch: perChunk, loss: reading.meanLoss, samplesPerSecond: reading.samplesPerSecond });
        }
        await yieldToEventLoop();
      }
      const record: EpochRecord = { epoch: chunk, loss: lossSum / Math.max(count, 1) };
      epochs.push(record);
      ctx.emit({ type: 'epoch', stage: spec.stage, ...phase, ...record });
    }
  } finally {
    window.dispose();
    embedding.dispose();
    optimizer.dispose();
  }
  return { epochs, seconds: window.trainMs / 1000, samplesPerSecond: window.samplesPerSecond };
}
