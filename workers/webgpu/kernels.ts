/**
 * The lab's barrier-free WebGPU kernels, installed over tfjs' own for the ops a training step spends
 * its time in (see `programs.ts` for why). Each kernel handles the common case itself and hands
 * anything else (integer tensors, non-contiguous axes, fused activations) to tfjs' kernel, so
 * installing them never narrows what the backend can do.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { ADAMW_KERNEL, SUM_OF_SQUARES_KERNEL, type AdamWAttrs } from '../../src/engine/train/optimizer';
import { DROPOUT_KERNEL, dropThreshold, keepScale, lowbias32, type DropoutAttrs } from '../../src/engine/kernels/dropout';
import { ROW_SEGMENT_SUM } from '../../src/engine/kernels/row-segment-sum';
import { AdamWMomentProgram, AdamWParamProgram, AxisReduceProgram, BlockMatMulProgram, DropoutProgram, RowSegmentSumProgram, RowSoftmaxProgram, SumOfSquaresStepProgram, type ReduceOp } from './programs';

const BACKEND = 'webgpu';

type KernelFunc = tf.KernelConfig['kernelFunc'];
type Args = Parameters<KernelFunc>[0];
type Info = tf.TensorInfo;

/** Binary ops whose short 1-D operand tfjs stages through shared memory (`useSharedMemoryWith*`). */
const BROADCAST_BINARY_OPS = ['Add', 'Sub', 'Multiply', 'RealDiv', 'Maximum', 'Minimum', 'SquaredDifference'];

/** tfjs takes its shared-memory path for a 1-D operand shorter than this against a higher-rank one. */
const SHARED_MEMORY_OPERAND_LIMIT = 128;

function gpu(args: Args): WebGPUBackend {
  return args.backend as WebGPUBackend;
}

function reshape(backend: WebGPUBackend, x: Info, shape: number[]): Info {
  const kernel = tf.getKernel('Reshape', BACKEND);
  if (!kernel) throw new Error('the webgpu backend has no Reshape kernel');
  return kernel.kernelFunc({ inputs: { x }, backend, attrs: { shape } }) as Info;
}

/** A uniform of another type than the call's default (`run`'s `type`). */
type TypedUniform = { type: 'int32' | 'uint32' | 'float32'; value: number };

/** Runs `program` with `uniforms` (in the order it declares them, of `type` unless typed) and reshapes the result. */
function run(backend: WebGPUBackend, program: WebGPUProgram, inputs: Info[], uniforms: (number | TypedUniform)[], shape: number[], type: 'int32' | 'float32' = 'int32'): Info {
  const data = uniforms.map((u) => (typeof u === 'number' ? { type, data: [u] } : { type: u.type, data: [u.value] }));
  const out = backend.runWebGPUProgram(program, inputs, 'float32', data);
  const shaped = reshape(backend, out, shape);
  backend.disposeData(out.dataId);
  return shaped;
}

const size = tf.util.sizeFromShape;

/**
 * A product as BlockMatMulProgram runs it: both operands viewed as rank 3 ([batch, rows, cols] as
 * stored), the output's leading dims the broadcast of theirs. Undefined when the shapes need more
 * than a batch-of-one broadcast, which tfjs' kernel handles instead.
 */
function matMul(args: Args, transposeA: boolean, transposeB: boolean, bias?: Info): Info | undefined {
  const backend = gpu(args);
  const { a, b } = args.inputs as { a: Info; b: Info };
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = size(outerA);
  const batchB = size(outerB);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return undefined;
  const [rowsA, colsA] = a.shape.slice(-2) as [number, number];
  const [rowsB, colsB] = b.shape.slice(-2) as [number, number];
  const M = transposeA ? colsA : rowsA;
  const K = transposeA ? rowsA : colsA;
  const N = transposeB ? rowsB : colsB;
  if ((transposeB ? colsB : rowsB) !== K) return undefined; // let tfjs report the shape error
  if (bias && (bias.dtype !== 'float32' || size(bias.shape) !== N)) return undefined;
  const batch = Math.max(batchA, batchB);
  const outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
  const a3 = reshape(backend, a, [batchA, rowsA, colsA]);
  const b3 = reshape(backend, b, [batchB, rowsB, colsB]);
  const program = new BlockMatMulProgram([batch, M, N], transposeA, transposeB, bias !== undefined);
  const inputs = bias ? [a3, b3, bias] : [a3, b3];
  const out = run(backend, program, inputs, [K, M, N], [...outer, M, N]);
  backend.disposeData(a3.dataId);
  backend.disposeData(b3.dataId);
  return out;
}

/**
 * A reduction over a contiguous run of axes as one AxisReduceProgram; undefined for integer tensors
 * or scattered axes (tfjs' kernel transposes those first).
 */
function reduce(args: Args, op: ReduceOp): Info | undefined {
  const backend = gpu(args);
  const { x } = args.inputs as { x: Info };
  // Max names its axes `reductionIndices`; Sum, Mean and Min name them `axis`.
  const attrs = args.attrs as { axis?: number | number[]; reductionIndices?: number | number[]; keepDims: boolean };
  const axis = attrs.axis ?? attrs.reductionIndices;
  const { keepDims } = attrs;
  if (x.dtype !== 'float32' || x.shape.length === 0) return undefined;
  const axes = tf.util.parseAxisParam(axis ?? x.shape.map((_, i) => i), x.shape).sort((p, q) => p - q);
  if (axes.length === 0 || axes.some((ax, i) => i > 0 && ax !== axes[i - 1]! + 1)) return undefined;
  const first = axes[0]!;
  const last = axes[axes.length - 1]!;
  const reduceSize = size(x.shape.slice(first, last + 1));
  const innerSize = size(x.shape.slice(last + 1));
  if (reduceSize === 0) return undefined;
  const kept = x.shape.filter((_, i) => !axes.includes(i));
  const shape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : kept;
  return run(backend, new AxisReduceProgram(size(kept), op), [x], [reduceSize, innerSize], shape);
}

function softmax(args: Args): Info | undefined {
  const backend = gpu(args);
  const { logits } = args.inputs as { logits: Info };
  const { dim } = args.attrs as { dim: number };
  const rank = logits.shape.length;
  if (logits.dtype !== 'float32' || rank === 0 || (dim !== -1 && dim !== rank - 1)) return undefined;
  const cols = logits.shape[rank - 1]!;
  const rows = size(logits.shape) / cols;
  if (cols === 0 || rows === 0) return undefined;
  return run(backend, new RowSoftmaxProgram(rows, cols), [logits], [rows, cols], [...logits.shape]);
}

/** A short 1-D operand against a higher-rank one, reshaped to [1, n] so tfjs skips shared memory. */
function broadcastWithoutSharedMemory(original: KernelFunc): KernelFunc {
  return (args) => {
    const backend = gpu(args);
    const { a, b } = args.inputs as { a: Info; b: Info };
    const short = (x: Info, other: Info) =>
      x.shape.length === 1 && other.shape.length > 1 && x.shape[0]! < SHARED_MEMORY_OPERAND_LIMIT;
    const reshaped: Info[] = [];
    const widen = (x: Info, other: Info) => {
      if (!short(x, other)) return x;
      const wide = reshape(backend, x, [1, x.shape[0]!]);
      reshaped.push(wide);
      return wide;
    };
    const inputs = { a: widen(a, b), b: widen(b, a) };
    const out = original({ ...args, inputs });
    reshaped.forEach((x) => backend.disposeData(x.dataId));
    return out;
  };
}

/**
 * A 2-D transpose as tfjs' generic (rank-3) transpose of a [1, rows, cols] view: tfjs tiles rank-2
 * transposes through shared memory, which took 600 ms for the MLM decoder's [64, 4000] under
 * SwiftShader.
 */
function transposeWithoutSharedMemory(original: KernelFunc): KernelFunc {
  return (args) => {
    const backend = gpu(args);
    const { x } = args.inputs as { x: Info };
    const { perm } = args.attrs as { perm: number[] };
    if (x.shape.length !== 2 || perm[0] !== 1) return original(args);
    const [rows, cols] = x.shape as [number, number];
    const view = reshape(backend, x, [1, rows, cols]);
    const out = original({ ...args, inputs: { x: view }, attrs: { perm: [0, 2, 1] } }) as Info;
    const shaped = reshape(backend, out, [cols, rows]);
    backend.disposeData(view.dataId);
    backend.disposeData(out.dataId);
    return shaped;
  };
}

/** Our kernel, or tfjs' when ours declines the inputs. */
function withFallback(original: KernelFunc, ours: (args: Args) => Info | undefined): KernelFunc {
  return (args) => ours(args) ?? original(args);
}

const OURS: Record<string, (original: KernelFunc) => KernelFunc> = {
  BatchMatMul: (original) =>
    withFallback(original, (args) => {
      const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
      return matMul(args, transposeA, transposeB);
    }),
  _FusedMatMul: (original) =>
    withFallback(original, (args) => {
      const { transposeA, transposeB, activation } = args.attrs as { transposeA: boolean; transposeB: boolean; activation: string };
      const { bias, preluActivationWeights } = args.inputs as { bias?: Info; preluActivationWeights?: Info };
      if ((activation && activation !== 'linear') || preluActivationWeights) return undefined;
      return matMul(args, transposeA, transposeB, bias ?? undefined);
    }),
  Sum: (original) => withFallback(original, (args) => reduce(args, 'sum')),
  Mean: (original) => withFallback(original, (args) => reduce(args, 'mean')),
  Max: (original) => withFallback(original, (args) => reduce(args, 'max')),
  Min: (original) => withFallback(original, (args) => reduce(args, 'min')),
  Softmax: (original) => withFallback(original, softmax),
  Transpose: transposeWithoutSharedMemory,
  ...Object.fromEntries(BROADCAST_BINARY_OPS.map((name) => [name, broadcastWithoutSharedMemory])),
};

/**
 * The engine's fused AdamW update (`ADAMW_KERNEL`): three dispatches (m', v', p') instead of about
 * fourteen elementwise ones per variable.
 */
const adamw: KernelFunc = (args) => {
  const backend = gpu(args);
  const { p, m, v, g, scale } = args.inputs as Record<'p' | 'm' | 'v' | 'g' | 'scale', Info>;
  const a = args.attrs as unknown as AdamWAttrs;
  const n = size(p.shape);
  const m1 = run(backend, new AdamWMomentProgram(n, false), [m, g, scale], [a.beta1], [...p.shape], 'float32');
  const v1 = run(backend, new AdamWMomentProgram(n, true), [v, g, scale], [a.beta2], [...p.shape], 'float32');
  const p1 = run(backend, new AdamWParamProgram(n), [p, m1, v1], [a.decay, a.lrT, a.epsT], [...p.shape], 'float32');
  return [p1, m1, v1];
};

/** The engine's fixed-order embedding gradient (see `RowSegmentSumProgram`). */
const rowSegmentSum: KernelFunc = (args) => {
  const backend = gpu(args);
  const { dy, order, offsets } = args.inputs as Record<'dy' | 'order' | 'offsets', Info>;
  const d = dy.shape[1]!;
  const rows = offsets.shape[0]! - 1;
  return run(backend, new RowSegmentSumProgram(rows, d), [dy, order, offsets], [d], [rows, d]);
};

/** The engine's dropout, its mask drawn in the shader (see `DropoutProgram`). */
const dropout: KernelFunc = (args) => {
  const backend = gpu(args);
  const { x } = args.inputs as { x: Info };
  const { rate, seed } = args.attrs as unknown as DropoutAttrs;
  const uniforms: TypedUniform[] = [
    { type: 'uint32', value: lowbias32(seed) },
    { type: 'uint32', value: dropThreshold(rate) },
    { type: 'float32', value: keepScale(rate) },
  ];
  return run(backend, new DropoutProgram(size(x.shape)), [x], uniforms, [...x.shape]);
};

const ENGINE_KERNELS: Record<string, KernelFunc> = { [ROW_SEGMENT_SUM]: rowSegmentSum, [DROPOUT_KERNEL]: dropout };

/**
 * Kernels of the engine's own that every WebGPU device gets, whichever matmul and reduction kernels
 * it runs: the fixed-order embedding gradient (without it the engine falls back to tfjs'
 * `unsortedSegmentSum`, whose atomics make two runs of one seed differ) and dropout with masks drawn
 * in the shader (without it the engine uploads a host-drawn mask per dropout).
 */
export function installEngineKernels(): void {
  for (const [kernelName, kernelFunc] of Object.entries(ENGINE_KERNELS)) {
    if (!tf.getKernel(kernelName, BACKEND)) tf.registerKernel({ kernelName, backendName: BACKEND, kernelFunc });
  }
}

/** Removes them again (the engine then takes its composite fallbacks, with the same numbers). */
export function removeEngineKernels(): void {
  for (const kernelName of Object.keys(ENGINE_KERNELS)) if (tf.getKernel(kernelName, BACKEND)) tf.unregisterKernel(kernelName, BACKEND);
}

/** Σ g² over every gradient: one dispatch per gradient, each adding to the running total. */
const sumOfSquares: KernelFunc = (args) => {
  const backend = gpu(args);
  const inputs = Object.values(args.inputs as Record<string, Info>);
  let total = backend.makeTensorInfo([1], 'float32', new Float32Array([0]));
  for (const g of inputs) {
    const next = run(backend, new SumOfSquaresStepProgram(), [g, total], [size(g.shape)], [1]);
    backend.disposeData(total.dataId);
    total = next;
  }
  const scalar = reshape(backend, total, []);
  backend.disposeData(total.dataId);
  return scalar;
};

/** tfjs' kernels, as they were before `installBarrierFreeKernels`, by name. */
export type KernelSet = Map<string, tf.KernelConfig>;

/**
 * Replaces tfjs' webgpu kernels named in `OURS` with ours (which fall back to the
 * originals), adds the engine's fused AdamW and sum-of-squares kernels, and returns the originals, for `restoreKernels` and for comparisons. Must run before the
 * engine's first op on webgpu: the engine's own kernels copy the delegate they wrap on first use.
 */
export function installBarrierFreeKernels(): KernelSet {
  const originals: KernelSet = new Map();
  for (const [name, make] of Object.entries(OURS)) {
    const original = tf.getKernel(name, BACKEND);
    if (!original) throw new Error(`the webgpu backend has no ${name} kernel to replace`);
    originals.set(name, original);
    tf.unregisterKernel(name, BACKEND);
    tf.registerKernel({ ...original, kernelFunc: make(original.kernelFunc) });
  }
  if (!tf.getKernel(ADAMW_KERNEL, BACKEND)) tf.registerKernel({ kernelName: ADAMW_KERNEL, backendName: BACKEND, kernelFunc: adamw });
  if (!tf.getKernel(SUM_OF_SQUARES_KERNEL, BACKEND)) tf.registerKernel({ kernelName: SUM_OF_SQUARES_KERNEL, backendName: BACKEND, kernelFunc: sumOfSquares });
  return originals;
}

/** Puts tfjs' kernels back. */
export function restoreKernels(originals: KernelSet): void {
  for (const name of [ADAMW_KERNEL, SUM_OF_SQUARES_KERNEL]) if (tf.getKernel(name, BACKEND)) tf.unregisterKernel(name, BACKEND);
  for (const [name, config] of originals) {
    tf.unregisterKernel(name, BACKEND);
    tf.registerKernel(config);
  }
}
