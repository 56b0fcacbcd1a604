/**
 * Times one training step on WASM and on WebGPU, for `measured-choice.ts`'s rule. The step is the
 * quick demo's student at work: a batch of 32 texts of 32 tokens through a feed-forward block of width
 * 128 and 256, forward and backward, through the engine's own matmuls (which pick, per backend, how
 * a transposed operand is read, as training does). One untimed step first pays for compiling shaders
 * and warming caches; then the median of three. WebGPU's steps, the warm-up included, must finish
 * before a deadline: a software WebGPU compiling its shaders on a busy CPU can take a minute.
 */
import * as tf from '@tensorflow/tfjs-core';
import { linear } from '../src/engine/models/matmul';
import { fasterBackend, WEBGPU_CAP_MS, type Measurement } from './measured-choice';
import { withTimeout } from './timeout';

const ROWS = 32 * 32;
const WIDTH = 128;
const HIDDEN = 256;
const TIMED_STEPS = 3;

/** The backend did not finish its steps before the deadline. */
class TooSlow extends Error {}

/** How the measurement starts each backend (and, for WebGPU, lets it go again when it loses). */
export interface BackendStarters {
  /** Makes WASM the active backend. */
  wasm(): Promise<unknown>;
  /** Makes WebGPU the active backend, with the kernels training would use on it; `release` undoes them. */
  webgpu(): Promise<{ release(keep: boolean): void }>;
}

/**
 * Measures both and leaves the faster one active (WebGPU is released when WASM wins). Null when WASM
 * cannot start here: there is then nothing to measure WebGPU against, and WebGPU is the better bet.
 */
export async function measureBackends(start: BackendStarters, key: string, device: string): Promise<Measurement | null> {
  try {
    await start.wasm();
  } catch {
    return null;
  }
  const wasmStepMs = await timeTrainingStep(Infinity);
  const webgpu = await start.webgpu();
  let webgpuStepMs: number | null = null;
  try {
    webgpuStepMs = await timeTrainingStep(performance.now() + WEBGPU_CAP_MS);
  } catch (error) {
    // Too slow, or broken on this device: either way WebGPU is not the faster backend here.
    if (!(error instanceof TooSlow)) console.warn(`WebGPU failed the timed training step: ${String(error)}`);
  }
  const backend = fasterBackend(wasmStepMs, webgpuStepMs);
  webgpu.release(backend === 'webgpu');
  const tenths = (x: number) => Math.round(x * 10) / 10;
  return { key, backend, wasmStepMs: tenths(wasmStepMs), webgpuStepMs: webgpuStepMs === null ? null : tenths(webgpuStepMs), device, measuredAt: Date.now() };
}

/** Median ms of one step on the active backend, after a warm-up; throws `TooSlow` past `deadline` (`performance.now()`). */
async function timeTrainingStep(deadline: number): Promise<number> {
  const x = tf.randomUniform([ROWS, WIDTH], -1, 1, 'float32', 1) as tf.Tensor2D;
  // In a tidy: a variable shares its first value's data, and that first tensor must still be freed.
  const w1 = tf.tidy(() => tf.variable(tf.randomUniform([WIDTH, HIDDEN], -0.1, 0.1, 'float32', 2) as tf.Tensor2D));
  const b1 = tf.tidy(() => tf.variable(tf.zeros([HIDDEN]) as tf.Tensor1D));
  const w2 = tf.tidy(() => tf.variable(tf.randomUniform([HIDDEN, WIDTH], -0.1, 0.1, 'float32', 3) as tf.Tensor2D));
  const b2 = tf.tidy(() => tf.variable(tf.zeros([WIDTH]) as tf.Tensor1D));
  const weights = [w1, b1, w2, b2];
  const loss = (): tf.Scalar => tf.mean(tf.square(linear(tf.relu(linear(x, w1, b1)), w2, b2)));
  const step = async () => {
    const { value, grads } = tf.variableGrads(loss, weights);
    try {
      // Reading the loss waits for every command queued before it: the whole backward pass.
      await within(value.data(), deadline);
    } finally {
      tf.dispose([value, ...Object.values(grads)]);
    }
  };
  try {
    await step();
    const times: number[] = [];
    for (let i = 0; i < TIMED_STEPS; i++) {
      const t0 = performance.now();
      await step();
      times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b)[Math.floor(TIMED_STEPS / 2)]!;
  } finally {
    tf.dispose([x, ...weights]);
  }
}

/** `promise`, or `TooSlow` once `deadline` passes; a late settling is swallowed, not left unhandled. */
function within<T>(promise: Promise<T>, deadline: number): Promise<T> {
  promise.catch(() => {});
  if (deadline === Infinity) return promise;
  return withTimeout(promise, Math.max(0, deadline - performance.now()), () => new TooSlow());
}
