/**
 * The losses of the steps since the last read-back. Training loops push each step's loss tensor and
 * read the window back every `logEvery` steps — one device sync per window, never one per step — which
 * also yields the window's samples/s.
 */
import * as tf from '@tensorflow/tfjs-core';

interface WindowReading {
  /** Mean loss over the window's steps. */
  meanLoss: number;
  lossSum: number;
  steps: number;
  samplesPerSecond: number;
}

export class LossWindow {
  private pending: tf.Scalar[] = [];
  private samples = 0;
  private startedAt = performance.now();
  /** Wall time of all flushed windows: training time, evaluation excluded. */
  trainMs = 0;
  totalSamples = 0;

  push(loss: tf.Scalar, batchSize: number): void {
    this.pending.push(loss);
    this.samples += batchSize;
  }

  get size(): number {
    return this.pending.length;
  }

  /** Reads the window's losses back (host-sync point) and starts a new window. */
  async flush(): Promise<WindowReading> {
    const stacked = tf.stack(this.pending);
    const values = await stacked.data(); // host-sync point: once per log interval
    stacked.dispose();
    this.dispose();
    const elapsed = performance.now() - this.startedAt;
    let lossSum = 0;
    for (const v of values) lossSum += v;
    const reading = {
      meanLoss: lossSum / values.length,
      lossSum,
      steps: values.length,
      samplesPerSecond: (this.samples * 1000) / Math.max(elapsed, 1e-3),
    };
    this.trainMs += elapsed;
    this.totalSamples += this.samples;
    this.samples = 0;
    this.startedAt = performance.now();
    return reading;
  }

  /** Restart the clock, e.g. after an evaluation or a yield that should not count as training. */
  restartClock(): void {
    this.startedAt = performance.now();
  }

  /** Frees unread losses (a cancel mid-window). */
  dispose(): void {
    this.pending.forEach((t) => t.dispose());
    this.pending = [];
  }

  get samplesPerSecond(): number {
    return this.totalSamples / Math.max(this.trainMs / 1000, 1e-6);
  }
}
