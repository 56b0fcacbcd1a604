/**
 * A bidirectional pre-LayerNorm transformer encoder (BERT-style attention, GPT-2-style norm placement):
 *   x = dropout(E[ids] + P[:T])
 *   per block:  x = x + dropout(o(attn(LN1(x))));  x = x + dropout(ff2(gelu(ff1(LN2(x)))))
 *   out = LN_final(x)
 * Attention is masked so that no token attends to padding (id 0). Dropout is applied to the embeddings
 * and to each residual branch (not to attention probabilities: fewer kernels, little difference at this
 * scale). The residual stream is kept flat, [B·T, d], so every linear is one 2-D matmul.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EncoderSize, LoraConfig, LoraTarget } from '../config';
import { LORA_TARGETS } from '../config';
import type { Rng } from '../rng';
import { dropout, Linear, newVariable, normalValues } from './linear';
import { attention, attentionOfOneQuery } from './attention-op';
import { gelu } from './gelu-op';
import { layerNorm } from './layer-norm-op';
import { gatherRows, linear } from './matmul';
import type { TokenRows } from './token-rows';

/** Token id of padding: attention never looks at it. */
export const PAD_ID = 0;

/** Weights by stable name, as stored in caches and files. */
export type NamedWeights = Record<string, { shape: number[]; data: Float32Array }>;

/** One named parameter; `linear` set when it is a Linear's W (its adapter folds in on save). */
export interface Param {
  name: string;
  variable: tf.Variable;
  linear?: Linear;
}

class LayerNorm {
  /** [d] */
  readonly gamma: tf.Variable;
  /** [d] */
  readonly beta: tf.Variable;

  constructor(
    readonly dim: number,
    readonly eps = 1e-5,
  ) {
    this.gamma = newVariable(() => tf.ones([dim]));
    this.beta = newVariable(() => tf.zeros([dim]));
  }

  /** x: [N, d] → [N, d], normalised over the last axis (one op with a closed-form backward). */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return layerNorm(x, this.gamma as tf.Tensor1D, this.beta as tf.Tensor1D, this.eps);
  }

  variables(): tf.Variable[] {
    return [this.gamma, this.beta];
  }

  dispose(): void {
    this.gamma.dispose();
    this.beta.dispose();
  }
}

interface Block {
  ln1: LayerNorm;
  q: Linear;
  k: Linear;
  v: Linear;
  o: Linear;
  ln2: LayerNorm;
  ff1: Linear;
  ff2: Linear;
}

/** Where a forward pass also hands out inner activations (a defense reads them; they stay on the tape). */
export interface EncoderTaps {
  /** Filled with each block's output, the residual stream after it: [B·T, d] per block. */
  blocks?: tf.Tensor2D[];
  /** Filled with each block's feed-forward hidden activation, after GELU (and after any mask): [B·T, dFF]. */
  ffn?: tf.Tensor2D[];
}

/** Additive attention mask of ids [B, T]: −1e9 on padding keys, so softmax gives them zero weight → [B, 1, 1, T]. */
function paddingBias(ids: tf.Tensor2D): tf.Tensor {
  const [B, T] = ids.shape;
  return tf.reshape(tf.mul(tf.cast(tf.equal(ids, PAD_ID), 'float32'), -1e9), [B, 1, 1, T]);
}

export class Encoder {
  /** [V, d] */
  readonly tokenEmbedding: tf.Variable;
  /** [maxLen, d] */
  readonly positionEmbedding: tf.Variable;
  readonly blocks: Block[];
  readonly finalNorm: LayerNorm;
  private dropoutRng: Rng;
  /** Set for the duration of a step that trains the token embedding (see `withTokenRows`). */
  private tokenRows: TokenRows | null = null;
  /** Per block, 1 for a kept feed-forward neuron and 0 for a pruned one ([dFF]); null: none pruned. */
  private readonly ffnMasks: (tf.Tensor1D | null)[];

  constructor(
    readonly size: EncoderSize,
    readonly vocabSize: number,
    readonly maxLen: number,
    readonly dropoutRate: number,
    rng: Rng,
  ) {
    const { dModel: d, dFF, layers, heads } = size;
    if (d % heads !== 0) throw new Error(`dModel ${d} must be divisible by heads ${heads}`);
    const init = rng.fork('init');
    this.tokenEmbedding = newVariable(() => tf.tensor2d(normalValues(vocabSize * d, 0.02, init), [vocabSize, d]));
    this.positionEmbedding = newVariable(() => tf.tensor2d(normalValues(maxLen * d, 0.02, init), [maxLen, d]));
    this.blocks = [];
    for (let i = 0; i < layers; i++) {
      this.blocks.push({
        ln1: new LayerNorm(d),
        q: new Linear(d, d, init),
        k: new Linear(d, d, init),
        v: new Linear(d, d, init),
        o: new Linear(d, d, init),
        ln2: new LayerNorm(d),
        ff1: new Linear(d, dFF, init),
        ff2: new Linear(dFF, d, init),
      });
    }
    this.finalNorm = new LayerNorm(d);
    this.dropoutRng = rng.fork('dropout');
    this.ffnMasks = this.blocks.map(() => null);
  }

  /**
   * Prunes block `index`'s feed-forward neurons where `keep` is 0 (null: keeps them all). A pruned
   * neuron's output is zeroed in every pass, adapters or not, until `bakeFfnMasks`.
   */
  setFfnMask(index: number, keep: Float32Array | null): void {
    if (index < 0 || index >= this.blocks.length) throw new Error(`no block ${index}; the encoder has ${this.blocks.length}`);
    if (keep && keep.length !== this.size.dFF) throw new Error(`an FFN mask needs ${this.size.dFF} entries, got ${keep.length}`);
    this.ffnMasks[index]?.dispose();
    this.ffnMasks[index] = keep ? tf.tensor1d(keep) : null;
  }

  /**
   * Folds every FFN mask into the weights and drops it: a pruned neuron's row of ff2's weight becomes 0,
   * which removes exactly its contribution (ff2 reads the neurons through that row alone). Merge any
   * adapter first: an adapter on ff2 would read the neuron through its own weights.
   */
  bakeFfnMasks(): void {
    this.blocks.forEach((blk, i) => {
      const mask = this.ffnMasks[i];
      if (!mask) return;
      if (blk.ff2.hasLora) throw new Error('merge the adapters before baking FFN masks');
      const masked = tf.tidy(() => tf.mul(blk.ff2.W, tf.reshape(mask, [-1, 1])));
      blk.ff2.W.assign(masked);
      masked.dispose();
      mask.dispose();
      this.ffnMasks[i] = null;
    });
  }

  get dModel(): number {
    return this.size.dModel;
  }

  /**
   * Runs `fn` (one training step) with token lookups through `rows`: deterministic embedding
   * gradients, dense or sparse (see token-rows.ts). Every forward pass inside must be of the ids the
   * rows were planned for.
   */
  withTokenRows<R>(rows: TokenRows, fn: () => R): R {
    this.tokenRows = rows;
    try {
      return fn();
    } finally {
      this.tokenRows = null;
    }
  }

  /** ids: [B, T] int32 → final hidden states [B, T, d]. */
  apply(ids: tf.Tensor2D, training: boolean, taps?: EncoderTaps): tf.Tensor3D {
    const [B, T] = ids.shape;
    return tf.reshape(this.hidden(ids, training, taps), [B, T, this.size.dModel]);
  }

  /** ids: [B, T] int32 → final hidden states, flat: [B·T, d] (row b·T + t is token t of sequence b). */
  hidden(ids: tf.Tensor2D, training: boolean, taps?: EncoderTaps): tf.Tensor2D {
    const [B, T] = ids.shape as [number, number];
    const maskBias = paddingBias(ids);
    let x = this.embed(ids, training);
    this.blocks.forEach((blk, i) => {
      x = tf.add(x, this.drop(this.attention(blk, blk.ln1.apply(x), B, T, maskBias, training), training)); // [B·T, d]
      x = tf.add(x, this.drop(this.feedForward(i, x, training, taps), training)); // [B·T, d]
      taps?.blocks?.push(x);
    });
    return this.finalNorm.apply(x); // [B·T, d]
  }

  /**
   * The final hidden state of one token per sequence, in eval mode: positions: [B] int32 (the token of
   * each row, 0 ≤ p < T) → [B, d], equal to those rows of `hidden` up to float rounding. The last block
   * needs every token's keys and values, but its query, attention output, feed-forward and the final norm
   * only at the token read: a masked-LM score with one masked token per sequence (ONION's) skips most of it.
   */
  hiddenAt(ids: tf.Tensor2D, positions: tf.Tensor1D): tf.Tensor2D {
    const [B, T] = ids.shape as [number, number];
    if (positions.shape[0] !== B) throw new Error(`hiddenAt reads one token per sequence: ${B} sequences, ${positions.shape[0]} positions`);
    const maskBias = paddingBias(ids);
    const last = this.blocks.length - 1;
    let x = this.embed(ids, false);
    this.blocks.slice(0, last).forEach((blk, i) => {
      x = tf.add(x, this.attention(blk, blk.ln1.apply(x), B, T, maskBias, false));
      x = tf.add(x, this.feedForward(i, x, false));
    });
    const blk = this.blocks[last]!;
    const rows = tf.add(positions, tf.range(0, B * T, T, 'int32')) as tf.Tensor1D; // flat indices into B·T
    const normed = blk.ln1.apply(x); // [B·T, d]
    const q = blk.q.apply(gatherRows(normed, rows), false); // [B, d]
    const heads = attentionOfOneQuery(q, blk.k.apply(normed, false), blk.v.apply(normed, false), maskBias, B, T, this.size.heads);
    const y = tf.add(gatherRows(x, rows), blk.o.apply(heads, false)) as tf.Tensor2D; // [B, d]
    return this.finalNorm.apply(tf.add(y, this.feedForward(last, y, false))); // [B, d]
  }

  /** Token plus position embeddings, flat: [B·T, d] (dropout in training). */
  private embed(ids: tf.Tensor2D, training: boolean): tf.Tensor2D {
    const [B, T] = ids.shape as [number, number];
    const d = this.size.dModel;
    if (T > this.maxLen) throw new Error(`sequence length ${T} exceeds the encoder's maxLen ${this.maxLen}`);
    const flatIds = tf.reshape(ids, [B * T]) as tf.Tensor1D;
    const table = this.tokenEmbedding as tf.Tensor2D;
    const tok = this.tokenRows ? this.tokenRows.lookup(table, flatIds) : gatherRows(table, flatIds); // [B·T, d]
    const pos = tf.slice(this.positionEmbedding, [0, 0], [T, d]); // [T, d]
    return this.drop(tf.reshape(tf.add(tf.reshape(tok, [B, T, d]), pos), [B * T, d]) as tf.Tensor2D, training);
  }

  /** Block `i`'s feed-forward branch (its pruning mask applied): x: [N, d] → [N, d]. */
  private feedForward(i: number, x: tf.Tensor2D, training: boolean, taps?: EncoderTaps): tf.Tensor2D {
    const blk = this.blocks[i]!;
    const mask = this.ffnMasks[i];
    const active = gelu(blk.ff1.apply(blk.ln2.apply(x), training)); // [N, dFF]
    const h = mask ? (tf.mul(active, mask) as tf.Tensor2D) : active;
    taps?.ffn?.push(h);
    return blk.ff2.apply(h, training);
  }

  /** Masks from `rng` on. Each training stage starts its own, so a stage trained after a cached one equals one after a live one. */
  reseedDropout(rng: Rng): void {
    this.dropoutRng = rng.fork('dropout');
  }

  private drop<X extends tf.Tensor>(x: X, training: boolean): X {
    return training ? dropout(x, this.dropoutRate, this.dropoutRng) : x;
  }

  /** Multi-head self-attention: x: [B·T, d] → [B·T, d]. */
  private attention(blk: Block, x: tf.Tensor2D, B: number, T: number, maskBias: tf.Tensor, training: boolean): tf.Tensor2D {
    // Three separate [d, d] linears, not one fused [d, 3d] + split: on WASM the column split of the
    // fused output costs more (≈5 ms per layer at B·T = 1280) than the two extra matmul launches.
    const q = blk.q.apply(x, training); // [B·T, d]
    const k = blk.k.apply(x, training); // [B·T, d]
    const v = blk.v.apply(x, training); // [B·T, d]
    return blk.o.apply(attention(q, k, v, maskBias, B, T, this.size.heads), training); // scores to merged heads: one op
  }

  /** The block linears named in `targets` (all six kinds when omitted), block by block. */
  linears(targets: readonly LoraTarget[] = LORA_TARGETS): Linear[] {
    return this.blocks.flatMap((blk) => targets.map((t) => blk[t]));
  }

  /** A fresh adapter on `cfg.targets` in every block (replacing any present). */
  attachLora(cfg: LoraConfig, rng: Rng): void {
    this.detachLora();
    this.blocks.forEach((blk, i) => {
      for (const t of cfg.targets) blk[t].attachLora(cfg, rng.fork(`block${i}.${t}`));
    });
  }

  /** Folds every adapter into its base weight and removes it. */
  mergeLora(): void {
    for (const lin of this.linears()) lin.merge();
  }

  /** Drops every adapter without folding it in. */
  detachLora(): void {
    for (const lin of this.linears()) lin.detachLora();
  }

  get hasLora(): boolean {
    return this.linears().some((l) => l.hasLora);
  }

  /** Adapter variables only (A, B of every attached adapter). */
  loraVariables(): tf.Variable[] {
    return this.linears().flatMap((l) => l.loraVariables());
  }

  /** Every base (non-adapter) variable: embeddings, norms, linears. */
  variables(): tf.Variable[] {
    return this.params().map((p) => p.variable);
  }

  /** Base variables with stable names (`tok`, `pos`, `blocks.0.q.W`, …, `final.gamma`). */
  params(prefix = ''): Param[] {
    const out: Param[] = [
      { name: `${prefix}tok`, variable: this.tokenEmbedding },
      { name: `${prefix}pos`, variable: this.positionEmbedding },
    ];
    const norm = (name: string, ln: LayerNorm) =>
      out.push({ name: `${name}.gamma`, variable: ln.gamma }, { name: `${name}.beta`, variable: ln.beta });
    const lin = (name: string, l: Linear) => out.push(...linearParams(name, l));
    this.blocks.forEach((blk, i) => {
      const p = `${prefix}blocks.${i}`;
      norm(`${p}.ln1`, blk.ln1);
      for (const t of ['q', 'k', 'v', 'o'] as const) lin(`${p}.${t}`, blk[t]);
      norm(`${p}.ln2`, blk.ln2);
      lin(`${p}.ff1`, blk.ff1);
      lin(`${p}.ff2`, blk.ff2);
    });
    norm(`${prefix}final`, this.finalNorm);
    return out;
  }

  dispose(): void {
    for (const m of this.ffnMasks) m?.dispose();
    this.tokenEmbedding.dispose();
    this.positionEmbedding.dispose();
    for (const blk of this.blocks) {
      for (const part of Object.values(blk)) (part as Linear | LayerNorm).dispose();
    }
    this.finalNorm.dispose();
  }
}

/** `name.W` and `name.b` of a Linear, for models that add their own heads. */
export function linearParams(name: string, l: Linear): Param[] {
  return [
    { name: `${name}.W`, variable: l.W, linear: l },
    { name: `${name}.b`, variable: l.b },
  ];
}

/**
 * Host copies of `params` by name (sync read: call outside the step loop). A Linear's W is saved with
 * its adapter folded in (W + scale·A·B), so the saved model is always adapter-free.
 */
export function readParams(params: Param[]): NamedWeights {
  const out: NamedWeights = {};
  for (const p of params) {
    const t = p.linear?.hasLora ? p.linear.mergedWeight() : p.variable;
    out[p.name] = { shape: [...p.variable.shape], data: Float32Array.from(t.dataSync() as Float32Array) };
    if (t !== p.variable) t.dispose();
  }
  return out;
}

/** Async twin of `readParams` (no blocking device read; preferred on WebGPU). */
export async function readParamsAsync(params: Param[]): Promise<NamedWeights> {
  const out: NamedWeights = {};
  for (const p of params) {
    const t = p.linear?.hasLora ? p.linear.mergedWeight() : p.variable;
    out[p.name] = { shape: [...p.variable.shape], data: Float32Array.from((await t.data()) as Float32Array) };
    if (t !== p.variable) t.dispose();
  }
  return out;
}

/**
 * Assigns every param from `w` by name. Throws on a missing name or a shape mismatch (naming it);
 * names in `w` that the model lacks are ignored. Adapters must be detached first (the caller does).
 */
export function writeParams(params: Param[], w: NamedWeights): void {
  // Every weight is checked before any is written: a misfit must leave the model as it was, not half loaded.
  for (const p of params) {
    const saved = w[p.name];
    if (!saved) throw new Error(`weights lack "${p.name}"`);
    const same = saved.shape.length === p.variable.shape.length && saved.shape.every((s, i) => s === p.variable.shape[i]);
    if (!same) throw new Error(`weights "${p.name}" have shape [${saved.shape}], the model needs [${p.variable.shape}]`);
  }
  for (const p of params) tf.tidy(() => p.variable.assign(tf.tensor(w[p.name]!.data, p.variable.shape, 'float32')));
}

/**
 * Masked-LM logits through the tied embedding: hidden states at `positions` (flat indices into B·T; all
 * B·T rows when null) · Eᵀ + bias. ids: [B, T] int32, positions: [M] int32 → [M, V]. Gathering first
 * keeps the [·, V] projection to the masked rows only.
 */
export function tiedMlmLogits(
  encoder: Encoder,
  bias: tf.Variable,
  ids: tf.Tensor2D,
  positions: tf.Tensor1D | null | undefined,
  training: boolean,
): tf.Tensor2D {
  const h = encoder.hidden(ids, training); // [B·T, d]
  return tiedDecoder(encoder, bias, positions ? gatherRows(h, positions) : h);
}

/** The tied masked-LM decoder: h [M, d] · Eᵀ + bias → [M, V]. */
export function tiedDecoder(encoder: Encoder, bias: tf.Variable, h: tf.Tensor2D): tf.Tensor2D {
  return linear(h, tf.transpose(encoder.tokenEmbedding) as tf.Tensor2D, bias as tf.Tensor1D);
}
