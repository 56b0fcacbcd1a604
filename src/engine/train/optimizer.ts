/**
 * AdamW (Loshchilov & Hutter) by hand, on exactly the variables it is given, and global-norm clipping.
 * Matches `torch.optim.AdamW`: bias-corrected moments, decoupled weight decay p ← p − lr·wd·p.
 * Decay applies to variables of rank ≥ 2 only (weight matrices, embeddings, LoRA A/B); biases and
 * LayerNorm gains/shifts (rank 1) are not decayed — the usual transformer recipe (HF's Trainer excludes
 * `bias` and `LayerNorm.weight`).
 */
import * as tf from '@tensorflow/tfjs-core';

export interface AdamWOptions {
  weightDecay: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/** Gradients by variable name (as `tf.variableGrads` returns them) or in the order of the variables. */
export type Grads = tf.NamedTensorMap | tf.Tensor[];

export class AdamW {
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private readonly index = new Map<string, number>();
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
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
   * One update with learning rate `lr`. A variable without a gradient (absent from the map) is left
   * alone, decay included (as PyTorch does for `grad is None`). Safe inside `tf.tidy`.
   */
  step(grads: Grads, lr: number): void {
    this.t++;
    const bc1 = 1 - this.beta1 ** this.t;
    const bc2 = 1 - this.beta2 ** this.t;
    // lr·m̂/(√v̂ + eps) = lrT·m/(√v + epsT) with the bias corrections folded into two scalars.
    const lrT = (lr * Math.sqrt(bc2)) / bc1;
    const epsT = this.eps * Math.sqrt(bc2);
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
        const m = tf.add(tf.mul(this.m[i]!, this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(this.v[i]!, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        this.m[i]!.assign(m);
        this.v[i]!.assign(v);
        const update = tf.div(tf.mul(m, lrT), tf.add(tf.sqrt(v), epsT));
        const decayed = this.weightDecay > 0 && p.rank >= 2 ? tf.mul(p, 1 - lr * this.weightDecay) : p;
        p.assign(tf.sub(decayed, update));
      }
    });
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
  }
}

/**
 * Scales all gradients by min(1, maxNorm / (‖g‖ + 1e-6)), ‖g‖ the global L2 norm over every tensor
 * (as `torch.nn.utils.clip_grad_norm_`). Returns the clipped gradients in the same form (map or array)
 * and the norm before clipping, as a scalar tensor (no device read).
 */
export function clipByGlobalNorm<G extends Grads>(grads: G, maxNorm: number): { grads: G; norm: tf.Scalar } {
  const list = Array.isArray(grads) ? grads : Object.values(grads);
  const norm = tf.tidy(() => tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g))))) as tf.Scalar);
  const factor = tf.tidy(() => tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6))));
  const scale = (g: tf.Tensor) => tf.mul(g, factor);
  const clipped = Array.isArray(grads)
    ? grads.map(scale)
    : Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, scale(g)]));
  factor.dispose();
  return { grads: clipped as G, norm };
}
