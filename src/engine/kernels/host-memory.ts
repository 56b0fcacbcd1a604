/**
 * Kernels of our own for the backends whose tensors live in host memory: tfjs' CPU backend (JS typed
 * arrays) and its WASM backend (the module's heap). A kernel body sees every input as a flat typed
 * array and writes into fresh outputs, in plain JS loops: one launch where a composite of tfjs ops
 * would take several, each its own pass over memory.
 */
import * as tf from '@tensorflow/tfjs-core';

type Info = tf.TensorInfo;
type Dtype = 'float32' | 'int32';

/** What a body needs from the backend: outputs, and flat views of inputs and outputs. */
interface HostMemory {
  /**
   * A fresh output, uninitialised on WASM (its heap is reused): the body writes every element. Allocate
   * every output *before* taking any view: allocating may grow (and so move) a WASM heap, which
   * detaches the views taken before it.
   */
  output(shape: number[], dtype?: Dtype): Info;
  view(t: Info): Float32Array | Int32Array;
}

type HostKernelBody = (mem: HostMemory, inputs: Record<string, Info>, attrs: tf.NamedAttrMap) => Info | Info[];

interface CpuBackend {
  data: { get(id: tf.DataId): { values: Float32Array | Int32Array } };
  makeTensorInfo(shape: number[], dtype: Dtype, values: Float32Array | Int32Array): Info;
}

interface WasmBackend {
  makeOutput(shape: number[], dtype: Dtype): Info;
  typedArrayFromHeap(t: Info): Float32Array | Int32Array;
}

const sizeOf = (shape: number[]) => shape.reduce((x, y) => x * y, 1);

function cpuMemory(backend: tf.KernelBackend): HostMemory {
  const cpu = backend as unknown as CpuBackend;
  return {
    output: (shape, dtype = 'float32') => cpu.makeTensorInfo(shape, dtype, dtype === 'int32' ? new Int32Array(sizeOf(shape)) : new Float32Array(sizeOf(shape))),
    view: (t) => cpu.data.get(t.dataId).values,
  };
}

function wasmMemory(backend: tf.KernelBackend): HostMemory {
  const wasm = backend as unknown as WasmBackend;
  return {
    output: (shape, dtype = 'float32') => wasm.makeOutput(shape, dtype),
    view: (t) => wasm.typedArrayFromHeap(t),
  };
}

/** Registers `body` as kernel `name` for `cpu` and `wasm` (once; registering does not load a backend). */
export function registerHostKernel(name: string, body: HostKernelBody): void {
  for (const [backendName, memory] of [['cpu', cpuMemory], ['wasm', wasmMemory]] as const) {
    if (tf.getKernel(name, backendName)) continue;
    tf.registerKernel({
      kernelName: name,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => body(memory(backend as tf.KernelBackend), inputs as Record<string, Info>, attrs ?? {}),
    });
  }
}
