/**
 * Checks the lab's WebGPU kernels against tfjs' own on the device at hand, before any training uses
 * them: a driver can compile a shader and still compute garbage, and the lab would rather fall back to
 * tfjs' kernels than teach from wrong numbers. The cases cover every branch of `kernels.ts`: the four
 * transpose combinations, rows not a multiple of four, column counts with and without vec4, a
 * broadcast batch, bias, every reduction over inner, outer and middle axes with and without keepDims,
 * softmax rows, 2-D and 4-D transposes, short 1-D operands on either side of a binary op, and the
 * fused AdamW update against the engine's composite one.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ADAMW_KERNEL, SUM_OF_SQUARES_KERNEL, adamwUpdate, type AdamWAttrs } from '../../src/engine/train/optimizer';
import { DROPOUT_KERNEL, dropoutMask, type DropoutAttrs } from '../../src/engine/kernels/dropout';
import { ROW_SEGMENT_SUM } from '../../src/engine/kernels/row-segment-sum';
import { planTokens } from '../../src/engine/models/token-plan';
import type { KernelSet } from './kernels';
import { errorMessage } from '../../src/engine/error-message';

interface Case {
  kernel: string;
  label: string;
  /** Random float inputs by shape. */
  inputs: Record<string, number[]>;
  /** Inputs with fixed values (integer ones, say). */
  fixed?: () => Record<string, tf.Tensor>;
  attrs?: Record<string, unknown>;
  /** What the kernel must agree with, when not tfjs' kernel of the same name. */
  reference?: (inputs: tf.NamedTensorMap) => tf.Tensor[];
}

const ADAMW_ATTRS: AdamWAttrs = { beta1: 0.9, beta2: 0.999, lrT: 0.01, epsT: 1e-8, decay: 0.99 };

const matmul = (a: number[], b: number[], transposeA = false, transposeB = false, bias?: number[]): Case => ({
  kernel: bias ? '_FusedMatMul' : 'BatchMatMul',
  label: `[${a}]·[${b}] tA=${transposeA} tB=${transposeB}${bias ? ` + bias[${bias}]` : ''}`,
  inputs: { a, b, ...(bias ? { bias } : {}) },
  attrs: { transposeA, transposeB, ...(bias ? { activation: 'linear', leakyreluAlpha: 0 } : {}) },
});

const reduction = (kernel: string, x: number[], axis: number[], keepDims: boolean): Case => ({
  kernel,
  label: `${kernel} [${x}] over ${axis}${keepDims ? ' keepDims' : ''}`,
  inputs: { x },
  attrs: { [kernel === 'Max' ? 'reductionIndices' : 'axis']: axis, keepDims },
});

const binary = (kernel: string, a: number[], b: number[]): Case => ({ kernel, label: `${kernel} [${a}] with [${b}]`, inputs: { a, b } });

export const CHECK_CASES: Case[] = [
  matmul([2, 5, 8], [2, 8, 12]), // 5 rows: a partial row block
  matmul([2, 5, 7], [2, 7, 8]), // K % 4 ≠ 0
  matmul([2, 8, 12], [2, 8, 8], true, false), // A stored [k, m], 12 rows
  matmul([2, 8, 5], [2, 8, 12], true, false),
  matmul([2, 5, 8], [2, 12, 8], false, true), // B stored [n, k]
  matmul([2, 8, 5], [2, 12, 8], true, true),
  matmul([3, 7, 9], [1, 9, 6]), // N % 4 ≠ 0: scalar columns; B broadcast over the batch
  matmul([1, 33, 16], [1, 16, 8], false, false, [8]),
  matmul([1, 16, 6], [1, 16, 6], true, false, [6]),
  ...['Sum', 'Mean', 'Max', 'Min'].flatMap((k) => [
    reduction(k, [6, 10], [1], false),
    reduction(k, [6, 10], [0], true),
    reduction(k, [3, 5, 7], [1], false),
    reduction(k, [3, 5, 7], [0, 1], true),
  ]),
  { kernel: 'Softmax', label: 'Softmax [4, 3, 10]', inputs: { logits: [4, 3, 10] }, attrs: { dim: 2 } },
  { kernel: 'Transpose', label: 'Transpose [40, 12]', inputs: { x: [40, 12] }, attrs: { perm: [1, 0] } },
  { kernel: 'Transpose', label: 'Transpose [2, 3, 4, 5] to [0, 2, 1, 3]', inputs: { x: [2, 3, 4, 5] }, attrs: { perm: [0, 2, 1, 3] } },
  binary('Add', [6, 10], [10]),
  binary('Multiply', [10], [4, 6, 10]),
  binary('Sub', [6, 10], [10]),
  binary('RealDiv', [10], [6, 10]),
  {
    kernel: ADAMW_KERNEL,
    label: 'AdamW update of a [7, 5] weight',
    inputs: { p: [7, 5], m: [7, 5], v: [7, 5], g: [7, 5], scale: [] },
    attrs: { ...ADAMW_ATTRS },
    reference: (x) => adamwUpdate({ p: x.p!, m: x.m!, v: x.v!, g: x.g!, scale: x.scale as tf.Scalar }, ADAMW_ATTRS),
  },
  {
    kernel: SUM_OF_SQUARES_KERNEL,
    label: 'sum of squares of three gradients ([7, 5], [9], [2, 3, 4])',
    inputs: { g0: [7, 5], g1: [9], g2: [2, 3, 4] },
    reference: (x) => [tf.addN([x.g0!, x.g1!, x.g2!].map((g) => tf.sum(tf.square(g))))],
  },
];

const DROPOUT_CHECK: DropoutAttrs = { rate: 0.3, seed: 0x9e3779b9 };

/** A token plan of 11 positions over ids {0, 2, 5, 9}, id 0 repeated most, as `planTokens` builds it. */
const SEGMENT_PLAN = planTokens(Int32Array.from([0, 5, 0, 2, 9, 0, 5, 0, 0, 2, 0]));

/** The engine's own kernels, installed on every WebGPU device (not only where the ones above are). */
export const ENGINE_CHECK_CASES: Case[] = [
  {
    kernel: ROW_SEGMENT_SUM,
    label: 'fixed-order embedding gradient of 11 positions over 4 ids, width 6',
    inputs: { dy: [11, 6] },
    fixed: () => ({
      inverse: tf.tensor1d(SEGMENT_PLAN.inverse, 'int32'),
      order: tf.tensor1d(SEGMENT_PLAN.order, 'int32'),
      offsets: tf.tensor1d(SEGMENT_PLAN.offsets, 'int32'),
    }),
    reference: (x) => [tf.unsortedSegmentSum(x.dy!, x.inverse as tf.Tensor1D, SEGMENT_PLAN.unique.length)],
  },
  {
    kernel: DROPOUT_KERNEL,
    label: 'dropout of a [37, 29] tensor at rate 0.3 (the host-drawn mask, bit for bit)',
    inputs: { x: [37, 29] },
    attrs: { ...DROPOUT_CHECK },
    reference: (x) => [tf.mul(x.x!, tf.tensor(dropoutMask([37, 29], DROPOUT_CHECK), [37, 29]))],
  },
];

/** Relative-and-absolute closeness, NaN equal to NaN. */
function close(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Math.abs(a - b) <= 1e-4 + 1e-4 * Math.abs(b);
}

/**
 * Runs every case through the installed kernels and through `originals`, on the same random inputs
 * (divisors kept away from zero). Returns one line per disagreement; empty means all agree.
 */
export async function checkKernels(originals: KernelSet, seed = 7, cases: readonly Case[] = CHECK_CASES): Promise<string[]> {
  const failures: string[] = [];
  for (const [i, c] of cases.entries()) {
    const original = originals.get(c.kernel);
    if (!original && !c.reference) {
      failures.push(`${c.label}: no tfjs kernel to compare with`);
      continue;
    }
    const inputs = {
      ...Object.fromEntries(Object.entries(c.inputs).map(([name, shape], j) => [name, tf.randomUniform(shape, 0.5, 1.5, 'float32', seed + 31 * i + j)])),
      ...c.fixed?.(),
    };
    try {
      const out = tf.engine().runKernel(c.kernel, inputs, c.attrs as tf.NamedAttrMap);
      const ours = Array.isArray(out) ? out : [out as tf.Tensor];
      const theirs = c.reference
        ? c.reference(inputs)
        : [tf.engine().makeTensorFromTensorInfo(original!.kernelFunc({ inputs, backend: tf.backend(), attrs: (c.attrs ?? {}) as tf.NamedAttrMap }) as tf.TensorInfo)];
      for (const [k, mine] of ours.entries()) {
        const ref = theirs[k]!;
        const [a, b] = await Promise.all([mine.data(), ref.data()]);
        const which = ours.length > 1 ? ` output ${k}` : '';
        if (mine.shape.join() !== ref.shape.join()) failures.push(`${c.label}${which}: shapes [${mine.shape}] vs [${ref.shape}]`);
        else {
          const bad = Array.from(a).findIndex((v, j) => !close(v, b[j]!));
          if (bad >= 0) failures.push(`${c.label}${which}: element ${bad} is ${a[bad]}, the reference gives ${b[bad]}`);
        }
      }
      tf.dispose([...ours, ...theirs]);
    } catch (error) {
      failures.push(`${c.label}: ${errorMessage(error)}`);
    } finally {
      tf.dispose(Object.values(inputs));
    }
  }
  return failures;
}
