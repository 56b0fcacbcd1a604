/**
 * The fused AdamW update (`ADAMW_KERNEL`) and the gradients' sum of squares for the backends whose tensors live in host memory (CPU and
 * WASM, see `kernels/host-memory.ts`). One pass of a JS loop per variable replaces the ~14 elementwise
 * kernels of the composite `adamwUpdate` (each its own pass over memory and its own dispatch), which
 * made AdamW the larger part of every training step's launches on WASM.
 *
 * Same arithmetic as `adamwUpdate`, element by element; intermediate values are float64 (JS numbers) and
 * rounded to float32 once per output, so results agree with the composite to float32 rounding.
 */
import { registerHostKernel } from '../kernels/host-memory';
import { ADAMW_KERNEL, SUM_OF_SQUARES_KERNEL, type AdamWAttrs } from './adamw-kernel';

/**
 * Registers the fused AdamW update and the gradients' sum of squares (for global-norm clipping: one
 * pass over every gradient where a square, a sum and an add per tensor were three launches each) for
 * `cpu` and `wasm` (once; registering for a backend does not load it).
 */
export function registerHostAdamW(): void {
  registerHostKernel(SUM_OF_SQUARES_KERNEL, (mem, inputs) => {
    const out = mem.output([]);
    let total = 0; // float64 accumulation: no float32 rounding per element
    for (const g of Object.values(inputs)) {
      const G = mem.view(g);
      for (let i = 0; i < G.length; i++) total += G[i]! * G[i]!;
    }
    mem.view(out)[0] = total;
    return out;
  });
  registerHostKernel(ADAMW_KERNEL, (mem, inputs, attrs) => {
    const { p, m, v, g, scale } = inputs;
    // p' = decay·p − lrT·m'/(√v' + epsT), m' = β1·m + (1−β1)·ĝ, v' = β2·v + (1−β2)·ĝ², ĝ = g·scale.
    const outputs = [0, 1, 2].map(() => mem.output([...p!.shape]));
    const [P, M, V, G] = [p!, m!, v!, g!].map(mem.view);
    const [P1, M1, V1] = outputs.map(mem.view) as [Float32Array, Float32Array, Float32Array];
    const s = scale ? mem.view(scale)[0]! : 1;
    const { beta1, beta2, lrT, epsT, decay } = attrs as unknown as AdamWAttrs;
    for (let i = 0; i < P!.length; i++) {
      const gi = G![i]! * s;
      M1[i] = beta1 * M![i]! + (1 - beta1) * gi;
      V1[i] = beta2 * V![i]! + (1 - beta2) * gi * gi;
      // Uses the rounded moments, as the composite does (it divides the stored float32 values).
      P1[i] = decay * P![i]! - (lrT * M1[i]!) / (Math.sqrt(V1[i]!) + epsT);
    }
    return outputs;
  });
}
