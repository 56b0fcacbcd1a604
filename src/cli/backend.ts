/**
 * The Node runner's tfjs backend: WASM (SIMD, XNNPACK) by default — `@tensorflow/tfjs-node` cannot be
 * installed here because it downloads a native binary — or the pure-JS CPU backend.
 */
import * as tf from '@tensorflow/tfjs-core';
// The full tfjs bundle registers every op's gradient (in tfjs' global registry, shared with the
// engine's tfjs-core); Node cannot load tfjs-core's own ESM `register_all_gradients`.
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerEngineKernels } from '../engine/kernels/register';

export type NodeBackend = 'wasm' | 'cpu';

export async function initNodeBackend(name: NodeBackend = 'wasm'): Promise<string> {
  registerEngineKernels();
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok) throw new Error(`could not start the tfjs "${name}" backend`);
  return tf.getBackend();
}
