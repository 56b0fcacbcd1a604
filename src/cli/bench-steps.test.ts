import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPatch } from '../engine/config';
import { configFromPreset } from '../engine/presets';
import { STEP_KINDS, measureStepKind } from './bench-steps';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const TINY = applyPatch(configFromPreset('quick'), {
  data: { maxLength: 8, vocabSize: 40 },
  models: { student: { layers: 1, dModel: 8, heads: 2, dFF: 16 }, teacher: { layers: 1, dModel: 4, heads: 2, dFF: 8 }, dropout: 0.1 },
  pretrain: { batchSize: 4 },
  poison: { batchSize: 4 },
  teacher: { batchSize: 4 },
  defense: { batchSize: 4 },
});

describe('measureStep', () => {
  it.each(STEP_KINDS)('%s: finite positive samples/s, kernels counted, no tensor leaked', async (kind) => {
    const before = tf.memory().numTensors;
    const m = await measureStepKind(kind, TINY, 1);
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(m.samplesPerSecond) && m.samplesPerSecond > 0).toBe(true);
    expect(m.kernels).toBeGreaterThan(0);
    expect(m.runsMs).toHaveLength(1);
    expect(m.batchSize).toBe(4);
    expect(m.trainableParams).toBeGreaterThan(0);
  });
});
