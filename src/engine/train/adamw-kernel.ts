/**
 * The names and attributes of the optimizer's two fused kernels, apart from both their users: the
 * optimizer that runs them (`optimizer.ts`) and the backends that register them (`adamw-host-kernels.ts`
 * for CPU and WASM, the browser worker for WebGPU).
 */

/**
 * One AdamW update as a kernel: inputs {p, m, v, g, scale}, outputs [p', m', v']. A backend may
 * register it to save launches: the engine does for CPU and WASM (`adamw-host-kernels.ts`, one JS loop
 * over host memory), the browser worker on WebGPU devices that run shaders on the CPU, where the ~14
 * elementwise ops per variable of the composite `adamwUpdate` (optimizer.ts) cost a dispatch each;
 * elsewhere that composite runs.
 */
export const ADAMW_KERNEL = 'W2SAdamW';

/** Per-variable constants of one step: bias corrections folded into lrT and epsT; decay = 1 − lr·wd (or 1). */
export interface AdamWAttrs {
  beta1: number;
  beta2: number;
  lrT: number;
  epsT: number;
  decay: number;
}

/** Kernel name of `sumOfSquares`: inputs {g0, g1, …} of any shapes → a float32 scalar. */
export const SUM_OF_SQUARES_KERNEL = 'W2SSumOfSquares';
