import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { LossWindow } from './loss-window';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('LossWindow', () => {
  it('reads back the mean loss of each window and times each window from its own start', async () => {
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const before = tf.memory().numTensors;
    const w = new LossWindow();
    w.push(tf.scalar(1), 10);
    w.push(tf.scalar(3), 10);
    now = 1000; // 20 samples in 1 s
    const first = await w.flush();
    expect(first).toEqual({ meanLoss: 2, lossSum: 4, steps: 2, samplesPerSecond: 20 });
    w.push(tf.scalar(5), 30);
    now = 2000; // 30 samples in the next 1 s, not in 2 s
    const second = await w.flush();
    expect(second.samplesPerSecond).toBe(30);
    expect(w.trainMs).toBe(2000);
    expect(w.samplesPerSecond).toBe(25);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('dispose frees unread losses', () => {
    const before = tf.memory().numTensors;
    const w = new LossWindow();
    w.push(tf.scalar(1), 1);
    w.dispose();
    expect(w.size).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });
});
