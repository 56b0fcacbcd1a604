/**
 * The one supervised training loop every classification stage uses (poison, teacher, defenses):
 * shuffled batches, AdamW on exactly the variables given, linear warm-up/decay, global-norm clipping,
 * step events with samples/s, metrics after every epoch, cancellation between steps.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OptimConfig } from '../config';
import type { EpochRecord, StageName } from '../events';
import type { Rng } from '../rng';
import { epochBatches, stepsPerEpoch } from './batches';
import { throwIfCancelled, yieldToEventLoop, type StageContext } from './context';
import { AdamW, clipByGlobalNorm } from './optimizer';
import { lrAt } from './schedule';
import type { Evaluation } from './evaluate';

export interface FitSpec {
  stage: StageName;
  phase?: string;
  optim: OptimConfig;
  /** Only these are updated: adapters and head in LoRA stages, everything in full fine-tuning. */
  variables: tf.Variable[];
  trainSize: number;
  /** Loss of one batch; rows: [B] int32 indices into the training set. Runs inside a tape. */
  batchLoss: (rows: tf.Tensor1D) => tf.Scalar;
  /** Metrics after each epoch (1-based). */
  afterEpoch: (epoch: number) => Promise<Evaluation>;
  rng: Rng;
  ctx: StageContext;
  /** Steps between loss read-backs (each one is a device sync). */
  logEvery?: number;
}

export interface FitResult {
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
): tf.Scalar {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(loss, variables);
    const clipped = clipNorm > 0 ? clipByGlobalNorm(grads, clipNorm).grads : grads;
    optimizer.step(clipped, lr);
    return value;
  });
}

export async function fit(spec: FitSpec): Promise<FitResult> {
  const { optim, ctx } = spec;
  const perEpoch = stepsPerEpoch(spec.trainSize, optim.batchSize);
  const totalSteps = perEpoch * optim.epochs;
  const logEvery = spec.logEvery ?? Math.max(1, Math.min(10, Math.floor(perEpoch / 4)));
  const optimizer = new AdamW(spec.variables, { weightDecay: optim.weightDecay });
  const epochs: FitResult['epochs'] = [];
  let trainMs = 0;
  let samples = 0;
  let step = 0;
  let pending: tf.Scalar[] = [];
  try {
    for (let epoch = 1; epoch <= optim.epochs; epoch++) {
      let lossSum = 0;
      let pendingSamples = 0;
      let windowStart = performance.now();
      const batches = epochBatches(spec.trainSize, optim.batchSize, spec.rng);
      for (let b = 0; b < batches.length; b++) {
        throwIfCancelled(ctx.signal);
        const rows = tf.tensor1d(batches[b]!, 'int32');
        const lr = lrAt(step, totalSteps, optim);
        pending.push(trainStep(spec.variables, optimizer, () => spec.batchLoss(rows), lr, optim.clipNorm));
        rows.dispose();
        step++;
        pendingSamples += batches[b]!.length;
        if (pending.length >= logEvery || b === batches.length - 1) {
          const stacked = tf.stack(pending);
          const values = await stacked.data(); // host-sync point: once per log interval
          stacked.dispose();
          pending.forEach((t) => t.dispose());
          pending = [];
          const elapsed = performance.now() - windowStart;
          trainMs += elapsed;
          samples += pendingSamples;
          let windowLoss = 0;
          for (const v of values) windowLoss += v;
          lossSum += windowLoss;
          ctx.emit({
            type: 'step',
            stage: spec.stage,
            ...(spec.phase ? { phase: spec.phase } : {}),
            epoch,
            step: b + 1,
            stepsPerEpoch: perEpoch,
            loss: windowLoss / values.length,
            samplesPerSecond: (pendingSamples * 1000) / Math.max(elapsed, 1e-3),
          });
          pendingSamples = 0;
          await yieldToEventLoop();
          windowStart = performance.now();
        } else {
          await yieldToEventLoop();
        }
      }
      const metrics = await spec.afterEpoch(epoch);
      const record = { epoch, loss: lossSum / batches.length, ...metrics };
      epochs.push(record);
      ctx.emit({ type: 'epoch', stage: spec.stage, ...(spec.phase ? { phase: spec.phase } : {}), ...record });
    }
  } finally {
    pending.forEach((t) => t.dispose()); // a cancel mid-interval leaves unread losses
    optimizer.dispose();
  }
  return { epochs, trainSeconds: trainMs / 1000, samplesPerSecond: samples / Math.max(trainMs / 1000, 1e-6) };
}
