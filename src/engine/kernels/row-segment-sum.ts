/**
 * The embedding gradient, summed per distinct token in a fixed order: out[u] = Σ dy[order[k]] for k in
 * offsets[u] .. offsets[u+1] − 1, k ascending (the layout of `TokenPlan`). Every output row is one
 * sequential sum, so the result is the same on every run: tfjs' scatter on WebGPU adds rows with
 * atomics in whatever order the GPU schedules them, and float addition does not commute in rounding,
 * which made two runs of one seed disagree.
 *
 * Kernel `W2SRowSegmentSum`: inputs {dy: [N, d] float32, inverse: [N], order: [N], offsets: [U + 1]}
 * (int32) → [U, d]. Registered here for CPU and WASM (a JS loop: the order scatterND adds in, so the
 * numbers are those of the dense scatter it replaces); the browser worker registers a shader for
 * WebGPU; any other backend gets `unsortedSegmentSum` over `inverse`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerHostKernel } from './host-memory';

export const ROW_SEGMENT_SUM = 'W2SRowSegmentSum';

export interface SegmentTensors {
  /** [N] int32: index of each position's id among the distinct ids. */
  inverse: tf.Tensor1D;
  /** [N] int32: positions grouped by distinct id. */
  order: tf.Tensor1D;
  /** [U + 1] int32: group boundaries in `order`. */
  offsets: tf.Tensor1D;
}

/** Registers the row segment sum for CPU and WASM (see `registerEngineKernels`). */
export function registerHostRowSegmentSum(): void {
  registerHostKernel(ROW_SEGMENT_SUM, (mem, inputs) => {
    const { dy, order, offsets } = inputs;
    const [, d] = dy!.shape as [number, number];
    const U = offsets!.shape[0]! - 1;
    const out = mem.output([U, d]);
    const [DY, ORDER, OFFSETS, OUT] = [dy!, order!, offsets!, out].map(mem.view);
    for (let u = 0; u < U; u++) {
      const row = u * d;
      OUT!.fill(0, row, row + d);
      for (let k = OFFSETS![u]!; k < OFFSETS![u + 1]!; k++) {
        const src = ORDER![k]! * d;
        for (let j = 0; j < d; j++) OUT![row + j]! += DY![src + j]!;
      }
    }
    return out;
  });
}

/** dy: [N, d] → [U, d], summed per group of `s` in a fixed order (see the module note). */
export function rowSegmentSum(dy: tf.Tensor2D, s: SegmentTensors): tf.Tensor2D {
  const U = s.offsets.shape[0] - 1;
  if (!tf.getKernel(ROW_SEGMENT_SUM, tf.getBackend())) return tf.unsortedSegmentSum(dy, s.inverse, U);
  return tf.engine().runKernel(ROW_SEGMENT_SUM, { dy, inverse: s.inverse, order: s.order, offsets: s.offsets }) as tf.Tensor2D;
}
