/**
 * A dense layer with an optional LoRA adapter (Hu et al. 2021, as in PEFT):
 *   y = x·W + b + (alpha / rank) · dropout(x)·A·B,  A: [in, r] Kaiming-uniform, B: [r, out] zeros,
 * so a fresh adapter leaves the layer's output unchanged. LoRA trains only A and B: pass
 * `loraVariables()` as the optimiser's varList and W, b stay as they were (they are simply not in the
 * list; their gradient is never even computed, see `matmul.ts`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng';
import { dropout } from '../kernels/dropout';
import { linear, matMul } from './matmul';

interface LoraAdapterConfig {
  rank: number;
  alpha: number;
  dropout: number;
}

interface Adapter {
  A: tf.Variable; // [in, r]
  B: tf.Variable; // [r, out]
  scale: number; // alpha / rank
  dropout: number;
  rng: Rng;
}

/** A trainable variable from `make()`, without leaking the initial tensor (tf.variable copies it). */
export function newVariable(make: () => tf.Tensor, trainable = true): tf.Variable {
  return tf.tidy(() => tf.variable(make(), trainable));
}

/** Normal(0, std) values from `rng` (host-side, so every backend gets identical weights). */
export function normalValues(size: number, std: number, rng: Rng): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = std * rng.normal();
  return out;
}

/** Inverted dropout with masks drawn where the tensor lives (see kernels/dropout.ts). */
export { dropout };

export class Linear {
  /** [in, out] */
  readonly W: tf.Variable;
  /** [out] */
  readonly b: tf.Variable;
  private adapter: Adapter | null = null;

  /** W ~ Normal(0, std) (BERT's 0.02), b = 0. */
  constructor(
    readonly inDim: number,
    readonly outDim: number,
    rng: Rng,
    std = 0.02,
  ) {
    this.W = newVariable(() => tf.tensor2d(normalValues(inDim * outDim, std, rng), [inDim, outDim]));
    this.b = newVariable(() => tf.zeros([outDim]));
  }

  get hasLora(): boolean {
    return this.adapter !== null;
  }

  /**
   * Adds a fresh adapter (replacing any present): A: [in, r] ~ U(±1/√in) (PEFT's kaiming_uniform with
   * a = √5), B: [r, out] = 0, scale = alpha / rank. `rng` draws A and, later, the adapter's dropout masks.
   */
  attachLora(cfg: LoraAdapterConfig, rng: Rng): void {
    this.detachLora();
    const { rank } = cfg;
    const bound = 1 / Math.sqrt(this.inDim);
    const a = new Float32Array(this.inDim * rank);
    for (let i = 0; i < a.length; i++) a[i] = (2 * rng.next() - 1) * bound;
    this.adapter = {
      A: newVariable(() => tf.tensor2d(a, [this.inDim, rank])),
      B: newVariable(() => tf.zeros([rank, this.outDim])),
      scale: cfg.alpha / rank,
      dropout: cfg.dropout,
      rng: rng.fork('lora-dropout'),
    };
  }

  /** Removes the adapter without folding it in (disposes A and B). */
  detachLora(): void {
    if (!this.adapter) return;
    this.adapter.A.dispose();
    this.adapter.B.dispose();
    this.adapter = null;
  }

  /** W ← W + scale·A·B, then drops the adapter. Outputs are unchanged (dropout aside). */
  merge(): void {
    if (!this.adapter) return;
    const merged = this.mergedWeight();
    this.W.assign(merged);
    merged.dispose();
    this.detachLora();
  }

  /** W + scale·A·B ([in, out], a new tensor the caller owns), or a copy of W without an adapter. */
  mergedWeight(): tf.Tensor2D {
    return tf.tidy(() => {
      const a = this.adapter;
      return a ? this.folded(a) : (tf.clone(this.W) as tf.Tensor2D);
    });
  }

  /** W + scale·A·B, outside any tidy: a caller taking gradients through it keeps its intermediates. */
  private folded(a: Adapter): tf.Tensor2D {
    return tf.add(this.W, tf.mul(matMul(a.A as tf.Tensor2D, a.B as tf.Tensor2D), a.scale)) as tf.Tensor2D; // [in, out]
  }

  /**
   * x: [N, in] → [N, out] (or [B, T, in] → [B, T, out]). `training` turns on the adapter's dropout,
   * whose masks come from `rng` when given, else from the adapter's own stream.
   */
  apply(x: tf.Tensor2D, training: boolean, rng?: Rng): tf.Tensor2D;
  apply(x: tf.Tensor3D, training: boolean, rng?: Rng): tf.Tensor3D;
  apply(x: tf.Tensor2D | tf.Tensor3D, training: boolean, rng?: Rng): tf.Tensor2D | tf.Tensor3D {
    if (x.rank === 3) {
      const [B, T] = x.shape as [number, number, number];
      const y = this.apply(tf.reshape(x, [B * T, this.inDim]) as tf.Tensor2D, training, rng);
      return tf.reshape(y, [B, T, this.outDim]) as tf.Tensor3D;
    }
    const x2 = x as tf.Tensor2D;
    // Inference folds the adapter first: W + scale·A·B costs in·r·out once, the factored path N·r·(in + out)
    // per call — with the quick demo's rank 64 on 128-wide linears, evaluation runs about a fifth faster.
    // Training keeps the factors: the adapter's dropout acts on its input alone.
    const a = this.adapter;
    if (!training && a && x2.shape[0] * (this.inDim + this.outDim) > this.inDim * this.outDim) {
      return linear(x2, this.folded(a), this.b as tf.Tensor1D);
    }
    const y = linear(x2, this.W as tf.Tensor2D, this.b as tf.Tensor1D); // [N, out]
    const delta = this.loraDelta(x2, training, rng);
    return delta ? tf.add(y, delta) : y;
  }

  /** scale·dropout(x)·A·B: [N, in] → [N, out], or null without an adapter. */
  loraDelta(x: tf.Tensor2D, training: boolean, rng?: Rng): tf.Tensor2D | null {
    const a = this.adapter;
    if (!a) return null;
    const xd = training && a.dropout > 0 ? dropout(x, a.dropout, rng ?? a.rng) : x;
    const low = tf.mul(matMul(xd, a.A as tf.Tensor2D), a.scale) as tf.Tensor2D; // [N, r] (scaling the narrow side is cheaper)
    return matMul(low, a.B as tf.Tensor2D); // [N, out]
  }

  /** [A, B] when an adapter is attached, else []. */
  loraVariables(): tf.Variable[] {
    return this.adapter ? [this.adapter.A, this.adapter.B] : [];
  }

  /** [W, b]. */
  baseVariables(): tf.Variable[] {
    return [this.W, this.b];
  }

  dispose(): void {
    this.detachLora();
    this.W.dispose();
    this.b.dispose();
  }
}
