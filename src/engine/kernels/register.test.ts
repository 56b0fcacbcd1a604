import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DROPOUT_KERNEL } from './dropout';
import { missingEngineKernels, registerEngineKernels } from './register';

describe('registerEngineKernels', () => {
  it('registers every host kernel for CPU and WASM, and a missing one is named', () => {
    registerEngineKernels();
    expect(missingEngineKernels('cpu')).toEqual([]);
    expect(missingEngineKernels('wasm')).toEqual([]);
    expect(missingEngineKernels('webgpu')).toEqual([]); // the worker registers WebGPU's own
    tf.unregisterKernel(DROPOUT_KERNEL, 'cpu');
    try {
      expect(missingEngineKernels('cpu')).toEqual([DROPOUT_KERNEL]);
    } finally {
      registerEngineKernels(); // idempotent: puts back only what is missing
    }
    expect(missingEngineKernels('cpu')).toEqual([]);
  });
});
