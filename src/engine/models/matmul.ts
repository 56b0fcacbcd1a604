/**
 * Matrix products (and the embedding row gather) with gradients that never use a transposed matmul.
 *
 * Why: tfjs' own gradient of `matMul` is written with `transposeA` / `transposeB` matmuls, and on the
 * WASM backend those are 10–40× slower than a plain one (measured: 2048×256 @ 256×256 takes 16 ms
 * plain, 152 ms with transposeB, 594 ms with transposeA). Here the backward pass transposes the operand
 * explicitly (`tf.transpose`, cheap) and then runs a plain matmul: dA = dY·Bᵀ, dB = Aᵀ·dY.
 *
 * How: each op is a kernel of our own (`W2S*`) that forwards to the backend's existing kernel
 * (`BatchMatMul`, `_FusedMatMul`, `GatherV2`) and has its own registered gradient. A registered gradient
 * is *lazy per input* (unlike `tf.customGrad`, which computes every input's gradient eagerly): when a
 * base weight is frozen (LoRA), it is not in the tape's path and its dW = Aᵀ·dY is never computed.
 * That saves about a third of a LoRA step. The kernel is registered for the active backend on first use,
 * so the same code runs on cpu, wasm and webgpu.
 *
 * The gather's gradient is a dense `scatterND` (sums duplicate ids) because the WASM backend has no
 * `UnsortedSegmentSum` kernel, which tfjs' own gather gradient needs.
 */
import * as tf from '@tensorflow/tfjs-core';

const MATMUL = 'W2SMatMul';
const LINEAR = 'W2SLinear';
const GATHER = 'W2SGatherRows';

/** Our kernel name → the backend kernel that does the forward work. */
const DELEGATES: Record<string, string> = { [MATMUL]: 'BatchMatMul', [LINEAR]: '_FusedMatMul', [GATHER]: 'GatherV2' };

const ready = new Set<string>();

/**
 * tfjs-core registers no gradients of its own ops; the entry point must (once, like the backend):
 * `import '@tensorflow/tfjs-core/dist/register_all_gradients'` in the browser and under vitest, or
 * `import '@tensorflow/tfjs'` in Node (the ESM file tree behind the first cannot load in plain Node).
 */
export function assertGradientsRegistered(): void {
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
    tf.registerKernel({ kernelName: name, backendName: backend, kernelFunc: base.kernelFunc });
  }
  ready.add(key);
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
 * Gradients of a·b (rank 2, or rank 3 with a batch): dA = g·bᵀ, dB = aᵀ·g (each computed only if
 * needed), transposing as the backend prefers.
 */
function productGrads(saved: tf.Tensor[], dy: tf.Tensor | tf.Tensor[]) {
  const [a, b] = saved as [tf.Tensor3D, tf.Tensor3D];
  const g = dy as tf.Tensor3D;
  if (READS_TRANSPOSED_IN_PLACE.has(tf.getBackend())) {
    return {
      a: () => tf.matMul(g, b, false, true), // [batch, m, n] · [batch, k, n]ᵀ → [batch, m, k]
      b: () => tf.matMul(a, g, true, false), // [batch, m, k]ᵀ · [batch, m, n] → [batch, k, n]
    };
  }
  return {
    a: () => tf.matMul(g, swapLast(b) as tf.Tensor3D), // [batch, m, n] · [batch, n, k] → [batch, m, k]
    b: () => tf.matMul(swapLast(a) as tf.Tensor3D, g), // [batch, k, m] · [batch, m, n] → [batch, k, n]
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
    // x·W as a batch of one ([1, N, in] · [1, in, out]), plus the bias: [out].
    return { ...productGrads(saved, dy), bias: () => tf.sum(dy as tf.Tensor, [0, 1]) };
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

function assertRank(x: tf.Tensor, rank: number, what: string): void {
  if (x.rank !== rank) throw new Error(`${what}: expected rank ${rank}, got shape [${x.shape}]`);
}

/**
 * a: [m, k] @ b: [k, n] → [m, n], or a: [batch, m, k] @ b: [batch, k, n] → [batch, m, n].
 * Plain matmul forward; backward dA = dY·Bᵀ, dB = Aᵀ·dY with explicit transposes.
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
  const [n] = x.shape;
  const [, out] = w.shape;
  const y = tf.engine().runKernel(
    LINEAR,
    { a: tf.expandDims(x, 0), b: tf.expandDims(w, 0), bias },
    { transposeA: false, transposeB: false, activation: 'linear', leakyreluAlpha: 0 },
  ) as tf.Tensor3D; // [1, N, out]
  return tf.reshape(y, [n!, out!]);
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
