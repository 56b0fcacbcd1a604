/**
 * AdamW (Loshchilov & Hutter) by hand, on exactly the variables it is given, and global-norm clipping.
 * Matches `torch.optim.AdamW`: bias-corrected moments, decoupled weight decay p ← p − lr·wd·p.
 * Decay applies to variables of rank ≥ 2 only (weight matrices, embeddings, LoRA A/B); biases and
 * LayerNorm gains/shifts (rank 1) are not decayed — the usual transformer recipe (HF's Trainer excludes
 * `bias` and `LayerNorm.weight`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ADAMW_KERNEL, SUM_OF_SQUARES_KERNEL, type AdamWAttrs } from './adamw-kernel';

export { ADAMW_KERNEL, SUM_OF_SQUARES_KERNEL, type AdamWAttrs } from './adamw-kernel';

export interface AdamWOptions {
  weightDecay: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/** Gradients by variable name (as `tf.variableGrads` returns them) or in the order of the variables. */
type Grads = tf.NamedTensorMap | tf.Tensor[];

/**
 * The reference update, in tfjs ops: ĝ = g·scale (scale 1 when absent); m' = β1·m + (1−β1)·ĝ; v' = β2·v + (1−β2)·ĝ²;
 * p' = decay·p − lrT·m'/(√v' + epsT). Returns [p', m', v'].
 */
export function adamwUpdate(inputs: { p: tf.Tensor; m: tf.Tensor; v: tf.Tensor; g: tf.Tensor; scale?: tf.Scalar }, a: AdamWAttrs): tf.Tensor[] {
  const { p, m, v, scale } = inputs;
  const g = scale ? tf.mul(inputs.g, scale) : inputs.g;
  const m1 = tf.add(tf.mul(m, a.beta1), tf.mul(g, 1 - a.beta1));
  const v1 = tf.add(tf.mul(v, a.beta2), tf.mul(tf.square(g), 1 - a.beta2));
  const update = tf.div(tf.mul(m1, a.lrT), tf.add(tf.sqrt(v1), a.epsT));
  const p1 = tf.sub(a.decay === 1 ? p : tf.mul(p, a.decay), update);
  return [p1, m1, v1];
}

/**
 * The step's constants but decay: lr·m̂/(√v̂ + eps) = lrT·m/(√v + epsT), the bias corrections of step
 * `t` (1-based) folded into two scalars.
 */
export function stepConstants(t: number, lr: number, o: { beta1: number; beta2: number; eps: number }): Omit<AdamWAttrs, 'decay'> {
  const bc1 = 1 - o.beta1 ** t;
  const bc2 = 1 - o.beta2 ** t;
  return { beta1: o.beta1, beta2: o.beta2, lrT: (lr * Math.sqrt(bc2)) / bc1, epsT: o.eps * Math.sqrt(bc2) };
}

/** [p', m', v'] by the backend's fused kernel where it has one, else by the composite. */
export function applyAdamW(inputs: { p: tf.Tensor; m: tf.Tensor; v: tf.Tensor; g: tf.Tensor; scale?: tf.Scalar }, attrs: AdamWAttrs): tf.Tensor[] {
  if (!tf.getKernel(ADAMW_KERNEL, tf.getBackend())) return adamwUpdate(inputs, attrs);
  return tf.tidy(() => {
    const withScale = { ...inputs, scale: inputs.scale ?? tf.scalar(1) };
    return tf.engine().runKernel(ADAMW_KERNEL, withScale, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  });
}

export class AdamW {
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private readonly index = new Map<string, number>();
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  private readonly weightDecay: number;
  /** Steps taken so far. */
  t = 0;

  constructor(
    readonly vars: tf.Variable[],
    opts: AdamWOptions,
  ) {
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay;
    vars.forEach((v, i) => this.index.set(v.name, i));
    // tidy: tf.variable copies its initial value, which would otherwise leak.
    this.m = vars.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
    this.v = vars.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
  }

  /**
   * One update with learning rate `lr`, each gradient first multiplied by `gradScale` (a scalar
   * tensor, e.g. the clipping factor of `globalNormScale`) when given. A variable without a gradient
   * (absent from the map) is left alone, decay included (as PyTorch does for `grad is None`). Safe
   * inside `tf.tidy`.
   */
  step(grads: Grads, lr: number, gradScale?: tf.Scalar): void {
    this.t++;
    const constants = stepConstants(this.t, lr, this);
    const pairs: [number, tf.Tensor][] = Array.isArray(grads)
      ? grads.map((g, i) => [i, g])
      : Object.entries(grads).map(([name, g]) => {
          const i = this.index.get(name);
          if (i === undefined) throw new Error(`AdamW: gradient for unknown variable "${name}"`);
          return [i, g];
        });
    tf.tidy(() => {
      for (const [i, g] of pairs) {
        const p = this.vars[i]!;
        const decay = this.weightDecay > 0 && p.rank >= 2 ? 1 - lr * this.weightDecay : 1;
        const [p1, m1, v1] = applyAdamW({ p, m: this.m[i]!, v: this.v[i]!, g, ...(gradScale ? { scale: gradScale } : {}) }, { ...constants, decay });
        this.m[i]!.assign(m1!);
        this.v[i]!.assign(v1!);
        p.assign(p1!);
      }
    });
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
  }
}

/**
 * Σ g² over every element of every tensor: one kernel on the backends that register
 * `SUM_OF_SQUARES_KERNEL` (CPU and WASM, `adamw-host-kernels.ts`), else a square and a sum per tensor
 * and a chain of adds. A chain, not tf.addN: WebGPU's AddN binds every input at once, and devices allow
 * as few as 8 storage buffers per shader (SwiftShader does), so a model's worth of gradients fails to compile.
 */
export function sumOfSquares(list: tf.Tensor[]): tf.Scalar {
  if (tf.getKernel(SUM_OF_SQUARES_KERNEL, tf.getBackend())) {
    return tf.engine().runKernel(SUM_OF_SQUARES_KERNEL, Object.fromEntries(list.map((g, i) => [`g${i}`, g]))) as tf.Scalar;
  }
  return tf.tidy(() => list.map((g) => tf.sum(tf.square(g))).reduce((sum, s) => tf.add(sum, s)) as tf.Scalar);
}

/**
 * Scales all gradients by min(1, maxNorm / (‖g‖ + 1e-6)), ‖g‖ the global L2 norm over every tensor
 * (as `torch.nn.utils.clip_grad_norm_`). Returns the clipped gradients in the same form (map or array)
 * and the norm before clipping, as a scalar tensor (no device read).
 */
export function clipByGlobalNorm<G extends Grads>(grads: G, maxNorm: number): { grads: G; norm: tf.Scalar } {
  const { factor, norm } = globalNormScale(grads, maxNorm);
  const scale = (g: tf.Tensor) => tf.mul(g, factor);
  const clipped = Array.isArray(grads)
    ? grads.map(scale)
    : Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, scale(g)]));
  factor.dispose();
  return { grads: clipped as G, norm };
}

/**
 * The clipping factor min(1, maxNorm / (‖g‖ + 1e-6)) and the norm, as scalar tensors (no device
 * read): `AdamW.step(grads, lr, factor)` applies it inside the update, saving a multiply per variable.
 */
export function globalNormScale(grads: Grads, maxNorm: number): { factor: tf.Scalar; norm: tf.Scalar } {
  const list = Array.isArray(grads) ? grads : Object.values(grads);
  const norm = tf.tidy(() => tf.sqrt(sumOfSquares(list)) as tf.Scalar);
  const factor = tf.tidy(() => tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6))) as tf.Scalar);
  return { factor, norm };
}
