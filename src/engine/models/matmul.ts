/**
 * Matrix products (and the embedding row gather) with gradients that pick, per backend, how a
 * transposed operand is read (`transposedProduct`).
 *
 * Why: tfjs' own gradient of `matMul` is written with `transposeA` / `transposeB` matmuls, and on the
 * WASM backend those are 10–40× slower than a plain one (measured: 2048×256 @ 256×256 takes 16 ms
 * plain, 152 ms with transposeB, 594 ms with transposeA). There the backward pass transposes the operand
 * explicitly (`tf.transpose`, cheap) and then runs a plain matmul: dA = dY·Bᵀ, dB = Aᵀ·dY. WebGPU's
 * shaders read a transposed operand in place, where an explicit transpose would only add a dispatch, so
 * there the gradient keeps the transpose flags.
 *
 * How: each op is a kernel of our own (`W2S*`) that forwards to the backend's existing kernel
 * (`BatchMatMul`, `_FusedMatMul`, `GatherV2`) and has its own registered gradient. A registered gradient
 * is *lazy per input* (unlike `tf.customGrad`, which computes every input's gradient eagerly): when a
 * base weight is frozen (LoRA), it is not in the tape's path and its dW = Aᵀ·dY is never computed.
 * That saves about a third of a LoRA step. The kernel is registered for the active backend on first use,
 * so the same code runs on cpu, wasm and webgpu.
 *
 * The gather's gradient is a dense `scatterND` (sums duplicate ids) because the WASM backend has no
 * `UnsortedSegmentSum` kernel, which tfjs' own gather gradient needs. Training looks token rows up
 * through `gatherSegments` instead, whose gradient is a fixed-order sum per id (see `token-rows.ts`);
 * `gatherRows` then only ever sees distinct ids, where a scatter is deterministic too.
 */
import * as tf from '@tensorflow/tfjs-core';
import { rowSegmentSum, type SegmentTensors } from '../kernels/row-segment-sum';

const MATMUL = 'W2SMatMul';
const LINEAR = 'W2SLinear';
const GATHER = 'W2SGatherRows';
const GATHER_SEGMENTS = 'W2SGatherSegments';

/** Our kernel name → the backend kernel that does the forward work. */
const DELEGATES: Record<string, string> = {
  [MATMUL]: 'BatchMatMul',
  [LINEAR]: '_FusedMatMul',
  [GATHER]: 'GatherV2',
  [GATHER_SEGMENTS]: 'GatherV2',
};

const ready = new Set<string>();

/**
 * tfjs-core registers no gradients of its own ops; the entry point must (once, like the backend):
 * `import '@tensorflow/tfjs-core/dist/register_all_gradients'` in the browser and under vitest, or
 * `import '@tensorflow/tfjs'` in Node (the ESM file tree behind the first cannot load in plain Node).
 */
function assertGradientsRegistered(): void {
  if (!tf.getGradient('Sum')) {
    throw new Error(
      "tfjs gradients are not registered: import '@tensorflow/tfjs-core/dist/register_all_gradients' " +
        "(browser, vitest) or '@tensorflow/tfjs' (Node) once at the entry point",
    );
  }
}

/** Registers `name` for the active backend (once), forwarding to the backend's own kernel. */
function ensureKernel(name: string): void {
  const backend = tf.getBackend();
  const key = `${name}/${backend}`;
  if (ready.has(key)) return;
  assertGradientsRegistered();
  if (!tf.getKernel(name, backend)) {
    const base = tf.getKernel(DELEGATES[name]!, backend);
    if (!base) throw new Error(`${DELEGATES[name]} is not registered for the "${backend}" backend`);
    // The base kernel's setupFunc (WASM function lookup) already ran when its backend initialised.
    const kernelFunc = name === LINEAR ? rank2Fused(base.kernelFunc, backend) : base.kernelFunc;
    tf.registerKernel({ kernelName: name, backendName: backend, kernelFunc });
  }
  ready.add(key);
}

/**
 * `_FusedMatMul` for rank-2 operands: some backends' fused kernel (WASM's) reads its operands as
 * [batch, rows, cols]. The views are made at kernel level, with the backend's own Reshape (no copy,
 * no tape node), so `linear` is one launch forward where expandDims, the product and a reshape were four.
 */
function rank2Fused(fused: tf.KernelFunc, backend: string): tf.KernelFunc {
  const reshapeKernel = tf.getKernel('Reshape', backend);
  if (!reshapeKernel) throw new Error(`Reshape is not registered for the "${backend}" backend`);
  return (args) => {
    const { a, b, bias } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo; bias: tf.TensorInfo };
    const view = (x: tf.TensorInfo, shape: number[]) => reshapeKernel.kernelFunc({ inputs: { x }, backend: args.backend, attrs: { shape } }) as tf.TensorInfo;
    const [n, k] = a.shape as [number, number];
    const out = b.shape[1]!;
    const a3 = view(a, [1, n, k]);
    const b3 = view(b, [1, k, out]);
    const y3 = fused({ ...args, inputs: { a: a3, b: b3, bias } }) as tf.TensorInfo;
    const y = view(y3, [n, out]);
    for (const t of [a3, b3, y3]) (args.backend as tf.KernelBackend).disposeData(t.dataId);
    return y;
  };
}

/** [m, n] → [n, m], or [batch, m, n] → [batch, n, m]. */
const swapLast = (x: tf.Tensor): tf.Tensor => tf.transpose(x, x.rank === 2 ? [1, 0] : [0, 2, 1]);

/**
 * Backends whose matmul shaders read a transposed operand in place (a change of stride), where an
 * explicit transpose would only add a kernel: on WebGPU each one costs a dispatch and a copy (measured
 * under SwiftShader: 63 transposes were 14 % of a LoRA step's kernel time).
 */
const READS_TRANSPOSED_IN_PLACE = new Set(['webgpu']);

/**
 * a·b with either operand transposed, as the backend runs it fastest: transpose flags where its
 * shaders read a transposed operand in place, else an explicit transpose and a plain product (on
 * WASM a transposed matmul is 10–40× slower than a plain one). Rank 2, or rank 3 with a batch.
 */
export function transposedProduct<T extends tf.Tensor2D | tf.Tensor3D>(a: T, b: T, transposeA: boolean, transposeB: boolean): T {
  if (READS_TRANSPOSED_IN_PLACE.has(tf.getBackend())) return tf.matMul(a, b, transposeA, transposeB) as T;
  const t = (x: T, yes: boolean) => (yes ? (swapLast(x) as T) : x);
  return tf.matMul(t(a, transposeA), t(b, transposeB)) as T;
}

/**
 * Gradients of a·b (rank 2, or rank 3 with a batch): dA = g·bᵀ, dB = aᵀ·g (each computed only if
 * needed), transposing as the backend prefers.
 */
function productGrads(saved: tf.Tensor[], dy: tf.Tensor | tf.Tensor[]) {
  const [a, b] = saved as [tf.Tensor3D, tf.Tensor3D];
  const g = dy as tf.Tensor3D;
  return {
    a: () => transposedProduct(g, b, false, true), // [batch, m, n] · [batch, k, n]ᵀ → [batch, m, k]
    b: () => transposedProduct(a, g, true, false), // [batch, m, k]ᵀ · [batch, m, n] → [batch, k, n]
  };
}

tf.registerGradient({
  kernelName: MATMUL,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved) => productGrads(saved, dy),
});

tf.registerGradient({
  kernelName: LINEAR,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved) => {
    // x: [N, in] · W: [in, out], plus the bias: [out].
    return { ...productGrads(saved, dy), bias: () => tf.sum(dy as tf.Tensor, 0) };
  },
});

tf.registerGradient({
  kernelName: GATHER,
  inputsToSave: ['x', 'indices'],
  gradFunc: (dy, saved) => {
    const [x, indices] = saved as [tf.Tensor2D, tf.Tensor1D];
    return {
      // Duplicate ids sum, as a gather's gradient must.
      x: () => tf.scatterND(tf.expandDims(indices, 1), dy as tf.Tensor, x.shape), // [V, d]
      indices: () => tf.zerosLike(indices),
    };
  },
});

tf.registerGradient({
  kernelName: GATHER_SEGMENTS,
  inputsToSave: ['indices', 'order', 'offsets'],
  gradFunc: (dy, saved) => {
    const [inverse, order, offsets] = saved as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    return {
      x: () => rowSegmentSum(dy as tf.Tensor2D, { inverse, order, offsets }), // [U, d], a fixed-order sum per row
      indices: () => tf.zerosLike(inverse),
      order: () => tf.zerosLike(order),
      offsets: () => tf.zerosLike(offsets),
    };
  },
});

function assertRank(x: tf.Tensor, rank: number, what: string): void {
  if (x.rank !== rank) throw new Error(`${what}: expected rank ${rank}, got shape [${x.shape}]`);
}

/**
 * a: [m, k] @ b: [k, n] → [m, n], or a: [batch, m, k] @ b: [batch, k, n] → [batch, m, n].
 * Plain matmul forward; backward dA = dY·Bᵀ, dB = Aᵀ·dY, transposed as the backend prefers (`transposedProduct`).
 */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D;
export function matMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D;
export function matMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  ensureKernel(MATMUL);
  if (a.rank === 2 && b.rank === 2) {
    if (a.shape[1] !== b.shape[0]) throw new Error(`matMul: inner sizes differ, [${a.shape}] vs [${b.shape}]`);
    // Every backend's BatchMatMul takes rank-2 operands as a batch of one itself: no expandDims and
    // reshape around it (three kernels forward, three more backward, per product).
    return tf.engine().runKernel(MATMUL, { a, b }, { transposeA: false, transposeB: false }) as tf.Tensor2D;
  }
  assertRank(a, 3, 'matMul a');
  assertRank(b, 3, 'matMul b');
  if (a.shape[0] !== b.shape[0]) throw new Error(`matMul: batch sizes differ, [${a.shape}] vs [${b.shape}]`);
  return tf.engine().runKernel(MATMUL, { a, b }, { transposeA: false, transposeB: false }) as tf.Tensor3D;
}

/**
 * x: [N, in] @ w: [in, out] + bias: [out] → [N, out], one fused kernel forward (`_FusedMatMul`);
 * backward dx = dY·Wᵀ, dW = xᵀ·dY, dbias = Σ_N dY.
 */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  ensureKernel(LINEAR);
  assertRank(x, 2, 'linear x');
  assertRank(w, 2, 'linear w');
  if (x.shape[1] !== w.shape[0]) throw new Error(`linear: inner sizes differ, [${x.shape}] vs [${w.shape}]`);
  return tf.engine().runKernel(LINEAR, { a: x, b: w, bias }, { transposeA: false, transposeB: false, activation: 'linear', leakyreluAlpha: 0 }) as tf.Tensor2D;
}

/**
 * Rows of a table: table: [V, d], ids: [N] int32 → [N, d]. Gradient wrt the table is a dense [V, d]
 * `scatterND` of dY (works on WASM, which lacks the kernel tfjs' own gather gradient needs).
 */
export function gatherRows(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  ensureKernel(GATHER);
  assertRank(ids, 1, 'gatherRows ids');
  return tf.engine().runKernel(GATHER, { x: table, indices: ids }, { axis: 0, batchDims: 0 }) as tf.Tensor2D;
}

/**
 * rows: [U, d] (a batch's distinct ids' rows), s: their `TokenPlan` as tensors → [N, d], row i =
 * rows[inverse[i]]. The gradient wrt rows sums each id's positions in a fixed order
 * (`rowSegmentSum`), so it is the same on every run and backend, unlike a scatter with atomics.
 */
export function gatherSegments(rows: tf.Tensor2D, s: SegmentTensors): tf.Tensor2D {
  ensureKernel(GATHER_SEGMENTS);
  assertRank(rows, 2, 'gatherSegments rows');
  const inputs = { x: rows, indices: s.inverse, order: s.order, offsets: s.offsets };
  return tf.engine().runKernel(GATHER_SEGMENTS, inputs, { axis: 0, batchDims: 0 }) as tf.Tensor2D;
}
