/**
 * Kernel census of a function (one training step, say) via `tf.profile`: how many kernels it launches
 * and of which kinds. Kernel launches, not FLOPs, bound small models on WebGPU, so the bench reports it.
 */
import * as tf from '@tensorflow/tfjs-core';

interface KernelCount {
  total: number;
  /** Launches per kernel name, most frequent first. */
  byName: [string, number][];
}

/** Runs `fn` once under the profiler (its result is disposed) and counts the kernels it ran. */
export async function countKernels(fn: () => tf.TensorContainer): Promise<KernelCount> {
  const info = await tf.profile(() => fn());
  tf.dispose(info.result);
  const counts = new Map<string, number>();
  for (const k of info.kernels) counts.set(k.name, (counts.get(k.name) ?? 0) + 1);
  return { total: info.kernels.length, byName: [...counts.entries()].sort((a, b) => b[1] - a[1]) };
}
