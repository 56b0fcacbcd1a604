/**
 * The engine's own kernels for the backends whose tensors live in host memory (CPU and WASM): seeded
 * dropout, the fixed-order embedding gradient, the row and dense AdamW updates and the gradients' sum
 * of squares. Registered once, where the backend is chosen (the Node runner's `initNodeBackend`, the
 * browser worker's backend choice, the unit tests' setup); registering loads no backend. Where one is
 * missing, the op falls back to tfjs composites — slower, and equal only to float32 rounding — so a run
 * checks (`missingEngineKernels`) rather than silently taking that path. The browser worker registers
 * WebGPU's shaders itself (workers/webgpu/kernels.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { DROPOUT_KERNEL, registerHostDropout } from './dropout';
import { registerHostRowSegmentSum, ROW_SEGMENT_SUM } from './row-segment-sum';
import { registerHostRowAdamW, ROW_ADAMW_KERNEL } from '../train/row-adamw';
import { registerHostAdamW } from '../train/adamw-host-kernels';
import { ADAMW_KERNEL, SUM_OF_SQUARES_KERNEL } from '../train/adamw-kernel';

const HOST_KERNELS = [DROPOUT_KERNEL, ROW_SEGMENT_SUM, ROW_ADAMW_KERNEL, ADAMW_KERNEL, SUM_OF_SQUARES_KERNEL];

export function registerEngineKernels(): void {
  registerHostDropout();
  registerHostRowSegmentSum();
  registerHostRowAdamW();
  registerHostAdamW();
}

/** The engine's host kernels not registered for `backend` (none expected elsewhere than CPU and WASM). */
export function missingEngineKernels(backend: string): string[] {
  if (backend !== 'cpu' && backend !== 'wasm') return [];
  return HOST_KERNELS.filter((name) => !tf.getKernel(name, backend));
}
