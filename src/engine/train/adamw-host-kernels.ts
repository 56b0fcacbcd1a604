/**
 * The fused AdamW update (`ADAMW_KERNEL`) for the backends whose tensors live in host memory: tfjs' CPU
 * backend (JS typed arrays) and its WASM backend (the module's heap). One pass of a JS loop per variable
 * replaces the ~14 elementwise kernels of the composite `adamwUpdate` (each its own pass over memory and
 * its own dispatch), which made AdamW the larger part of every training step's launches on WASM.
 *
 * Same arithmetic as `adamwUpdate`, element by element; intermediate values are float64 (JS numbers) and
 * rounded to float32 once per output, so results agree with the composite to float32 rounding.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ADAMW_KERNEL, type AdamWAttrs } from './optimizer';

type Info = tf.TensorInfo;

/** What the two backends need to hand the loop flat views of inputs and fresh outputs. */
interface HostMemory {
  /** Allocates the three outputs (before any view is taken: allocating may move a WASM heap). */
  outputs(shape: number[]): [Info, Info, Info];
  view(t: Info): Float32Array;
}

/** p' = decay·p − lrT·m'/(√v' + epsT), m' = β1·m + (1−β1)·ĝ, v' = β2·v + (1−β2)·ĝ², ĝ = g·scale. */
function update(mem: HostMemory, inputs: Record<string, Info>, a: AdamWAttrs): Info[] {
  const { p, m, v, g, scale } = inputs as Record<'p' | 'm' | 'v' | 'g', Info> & { scale?: Info };
  const [p1, m1, v1] = mem.outputs([...p.shape]);
  const [P, M, V, G] = [mem.view(p), mem.view(m), mem.view(v), mem.view(g)];
  const [P1, M1, V1] = [mem.view(p1), mem.view(m1), mem.view(v1)];
  const s = scale ? mem.view(scale)[0]! : 1;
  const { beta1, beta2, lrT, epsT, decay } = a;
  for (let i = 0; i < P.length; i++) {
    const gi = G[i]! * s;
    const mi = beta1 * M[i]! + (1 - beta1) * gi;
    const vi = beta2 * V[i]! + (1 - beta2) * gi * gi;
    M1[i] = mi;
    V1[i] = vi;
    // Uses the rounded moments, as the composite does (it divides the stored float32 values).
    P1[i] = decay * P[i]! - (lrT * M1[i]!) / (Math.sqrt(V1[i]!) + epsT);
  }
  return [p1, m1, v1];
}

interface CpuBackend {
  data: { get(id: tf.DataId): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): Info;
}

interface WasmBackend {
  makeOutput(shape: number[], dtype: 'float32'): Info;
  typedArrayFromHeap(t: Info): Float32Array;
}

const cpuKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as unknown as CpuBackend;
  return update(
    {
      outputs: (shape) => {
        const n = shape.reduce((x, y) => x * y, 1);
        return [0, 1, 2].map(() => cpu.makeTensorInfo(shape, 'float32', new Float32Array(n))) as [Info, Info, Info];
      },
      view: (t) => cpu.data.get(t.dataId).values,
    },
    inputs as Record<string, Info>,
    attrs as unknown as AdamWAttrs,
  );
};

const wasmKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as unknown as WasmBackend;
  return update(
    {
      outputs: (shape) => [0, 1, 2].map(() => wasm.makeOutput(shape, 'float32')) as [Info, Info, Info],
      view: (t) => wasm.typedArrayFromHeap(t),
    },
    inputs as Record<string, Info>,
    attrs as unknown as AdamWAttrs,
  );
};

/** Registers the kernel for `cpu` and `wasm` (once; registering for a backend does not load it). */
export function registerHostAdamW(): void {
  for (const [backendName, kernelFunc] of [['cpu', cpuKernel], ['wasm', wasmKernel]] as const) {
    if (!tf.getKernel(ADAMW_KERNEL, backendName)) tf.registerKernel({ kernelName: ADAMW_KERNEL, backendName, kernelFunc });
  }
}
