/**
 * Inverted dropout whose mask is a pure function of (seed, element index): element i is kept when
 * hash(i ⊕ hash(seed)) ≥ rate·2³², then scaled by 1/(1 − rate). `hash` is Wellons' lowbias32, a
 * 32-bit integer mix that JS (Math.imul) and WGSL (u32 arithmetic wraps) compute bit for bit alike,
 * so every backend draws the same masks, and the mask is drawn where the tensor lives: no [N, d] mask
 * is built on the host and uploaded per dropout, and none is kept for the backward pass, which
 * recomputes it from the seed (dx = dropout(dy), same seed).
 *
 * Kernel `W2SDropout`: inputs {x: float32}, attrs {rate, seed} → x's shape. Registered here for CPU
 * and WASM (one JS pass); the browser worker registers a shader for WebGPU; any other backend gets
 * the same mask built on the host and a multiply.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng';
import { registerHostKernel } from './host-memory';

export const DROPOUT_KERNEL = 'W2SDropout';

export interface DropoutAttrs {
  rate: number;
  /** A 32-bit seed; the mask is a function of it and the element index only. */
  seed: number;
}

/** lowbias32 (Chris Wellons' hash-prospector): a full-avalanche 32-bit mix, as an unsigned integer. */
export function lowbias32(v: number): number {
  let x = v >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Elements whose hash is below this are dropped: round(rate·2³²), kept within u32. */
export function dropThreshold(rate: number): number {
  return Math.min(0xffffffff, Math.round(rate * 4294967296));
}

/**
 * 1/(1 − rate) rounded to float32: x·keep is then one correctly rounded float32 product on every
 * backend (JS's float64 product of two float32 values is exact before its rounding to float32).
 */
export function keepScale(rate: number): number {
  return Math.fround(1 / (1 - rate));
}

/** The mask's multiplier of element i: 0 (dropped) or 1/(1 − rate). */
function maskValue(i: number, mix: number, threshold: number, keep: number): number {
  return lowbias32(i ^ mix) >= threshold ? keep : 0;
}

/** Registers the dropout kernel for CPU and WASM (see `registerEngineKernels`). */
export function registerHostDropout(): void {
  registerHostKernel(DROPOUT_KERNEL, (mem, inputs, attrs) => {
    const { rate, seed } = attrs as unknown as DropoutAttrs;
    const out = mem.output([...inputs.x!.shape]);
    const X = mem.view(inputs.x!) as Float32Array;
    const OUT = mem.view(out) as Float32Array;
    const mix = lowbias32(seed) | 0;
    const keep = keepScale(rate);
    // lowbias32 inlined, compared as signed integers (both sides offset by 2³¹): a third faster in V8
    // than an unsigned compare of the function's result, and the same decision.
    const threshold = (dropThreshold(rate) ^ 0x80000000) | 0;
    for (let i = 0; i < X.length; i++) {
      let h = i ^ mix;
      h ^= h >>> 16;
      h = Math.imul(h, 0x7feb352d);
      h ^= h >>> 15;
      h = Math.imul(h, 0x846ca68b);
      h ^= h >>> 16;
      OUT[i] = (h ^ 0x80000000) >= threshold ? X[i]! * keep : 0;
    }
    return out;
  });
}

tf.registerGradient({
  kernelName: DROPOUT_KERNEL,
  inputsToSave: [],
  // The mask is linear and recomputed from the seed: dx = mask ⊙ dy.
  gradFunc: (dy, _saved, attrs) => ({ x: () => dropoutWithSeed(dy as tf.Tensor, attrs as unknown as DropoutAttrs) }),
});

/** The mask of `shape` on the host (the reference, and the path of backends without the kernel). */
export function dropoutMask(shape: number[], a: DropoutAttrs): Float32Array {
  const n = shape.reduce((x, y) => x * y, 1);
  const mix = lowbias32(a.seed);
  const threshold = dropThreshold(a.rate);
  const keep = keepScale(a.rate);
  return Float32Array.from({ length: n }, (_, i) => maskValue(i, mix, threshold, keep));
}

function dropoutWithSeed<T extends tf.Tensor>(x: T, a: DropoutAttrs): T {
  if (!tf.getKernel(DROPOUT_KERNEL, tf.getBackend())) return tf.mul(x, tf.tensor(dropoutMask(x.shape, a), x.shape, 'float32'));
  return tf.engine().runKernel(DROPOUT_KERNEL, { x }, a as unknown as tf.NamedAttrMap) as T;
}

/**
 * Inverted dropout: x: any shape → same shape; each element kept with probability 1 − rate and scaled
 * by 1 / (1 − rate). Each call draws a fresh seed from `rng`, so masks differ per call and repeat per run.
 */
export function dropout<T extends tf.Tensor>(x: T, rate: number, rng: Rng): T {
  if (rate <= 0) return x;
  return dropoutWithSeed(x, { rate, seed: rng.seed() >>> 0 });
}
