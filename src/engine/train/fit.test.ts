/**
 * `fit`'s early stop, with scripted metrics: poisoning until planted stops after the first epoch whose
 * dev ASR reaches `poison.untilAsr`, and runs to the cap (`epochs`) when none does. The loss is a toy
 * one; only the loop's bookkeeping is checked.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../config';
import type { LabEvent } from '../events';
import { reachedUntilAsr } from '../attacks/planted';
import { Rng } from '../rng';
import { fit } from './fit';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Fits a single weight for `cap` epochs of 2 steps, with `devAsr[e-1]` reported after epoch e. */
async function poisonWithScriptedAsr(devAsr: readonly number[], untilAsr: number, cap = devAsr.length) {
  const w = tf.variable(tf.scalar(1), true, `fit-test-w-${Math.random()}`);
  const events: LabEvent[] = [];
  const before = tf.memory().numTensors;
  try {
    const out = await fit({
      stage: 'poison',
      optim: { ...DEFAULT_CONFIG.poison, epochs: cap, batchSize: 4, lr: 0.1, warmupRatio: 0 },
      variables: [w],
      trainSize: 8,
      batchLoss: (rows) => tf.mul(tf.square(w), tf.cast(rows.shape[0], 'float32')) as tf.Scalar,
      afterEpoch: async (epoch) => ({ ca: 0.5, asr: 0.5, asrBase: 0.1, devAsr: devAsr[epoch - 1]! }),
      rng: new Rng(1),
      ctx: { emit: (e) => events.push(e) },
      stopAfterEpoch: (record) => reachedUntilAsr(record, untilAsr),
    });
    expect(tf.memory().numTensors).toBe(before);
    return { out, events };
  } finally {
    w.dispose();
  }
}

describe('fit stops once the backdoor is planted', () => {
  it('stops after the first epoch whose dev ASR reaches the threshold, the threshold itself included', async () => {
    const { out, events } = await poisonWithScriptedAsr([0.4, 0.8, 0.95, 0.99, 1], 0.95);
    expect(out.epochs.map((e) => [e.epoch, e.devAsr])).toEqual([[1, 0.4], [2, 0.8], [3, 0.95]]);
    // Every epoch that ran was emitted (and measured), and no step of a later epoch ran.
    expect(events.filter((e) => e.type === 'epoch').map((e) => (e as { epoch: number }).epoch)).toEqual([1, 2, 3]);
    expect(Math.max(...events.flatMap((e) => (e.type === 'step' ? [e.epoch] : [])))).toBe(3);
  });

  it('runs to the cap when the threshold is never reached', async () => {
    const { out } = await poisonWithScriptedAsr([0.1, 0.5, 0.7, 0.94], 0.95);
    expect(out.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
  });

  it('with untilAsr 0 trains the fixed epochs, however high the dev ASR', async () => {
    const { out } = await poisonWithScriptedAsr([1, 1, 1], 0);
    expect(out.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
  });
});
