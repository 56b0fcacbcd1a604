/**
 * AdamW for an embedding table that touches only the rows a batch holds: the rows of the batch's
 * distinct ids get the AdamW update (moments included); the rest of the table is not read or written.
 * The moments of absent rows therefore rest, as in `torch.optim.SparseAdam` and TF's LazyAdam, where
 * dense AdamW would keep moving a row on its stale momentum: on a 4,000-row table a batch holds a few
 * hundred ids, so most of a dense step is that drift.
 *
 * Decoupled weight decay stays exact, lazily. Every step multiplies *every* row by (1 − lrₜ·wd),
 * present or not, so after step t a row owes the product D_t = Π_{s ≤ t} (1 − lr_s·wd) of all steps.
 * The host keeps D per step and, per row, the step `synced` through which its decay is applied. A row is
 * brought up to date (× D_t / D_synced) when a batch next reads it, before the forward pass, so the
 * model always computes with the true value; `flush` brings every row up to date before anything
 * else reads the table (evaluation, saving). The result equals decaying every row every step, to
 * float32 rounding of the one combined factor.
 *
 * Frozen rows (a trigger's own rows, held fixed during full-FT poisoning) are never updated nor decayed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerHostKernel } from '../kernels/host-memory';
import type { TokenPlan } from '../models/token-plan';
import { adamwUpdate, applyAdamW, stepConstants, type AdamWAttrs, type AdamWOptions } from './optimizer';

/**
 * The row update as one kernel: inputs {p, m, v: [V, d]; rows, g: [U, d] (the rows' current values and
 * gradients); index: [U] int32 (their row numbers); scale: [] } → [p', m', v'], copies of p, m, v with
 * the U rows updated as `adamwUpdate` does. On CPU and WASM one JS pass (a copy, then the rows);
 * elsewhere the composite `rowAdamWComposite`. (tfjs' own TensorScatterUpdate on CPU writes into its
 * input tensor's memory, which would change every tensor sharing the table's data.)
 */
export const ROW_ADAMW_KERNEL = 'W2SRowAdamW';

/** Registers the row AdamW update for CPU and WASM (see `registerEngineKernels`). */
export function registerHostRowAdamW(): void {
  registerHostKernel(ROW_ADAMW_KERNEL, (mem, inputs, attrs) => {
    const { p, m, v, rows, g, index, scale } = inputs;
    const outputs = [0, 1, 2].map(() => mem.output([...p!.shape]));
    const [P, M, V, R, G, I, S] = [p!, m!, v!, rows!, g!, index!, scale!].map(mem.view);
    const [P1, M1, V1] = outputs.map(mem.view) as [Float32Array, Float32Array, Float32Array];
    P1.set(P!);
    M1.set(M!);
    V1.set(V!);
    const d = p!.shape[1]!;
    const s = S![0]!;
    const { beta1, beta2, lrT, epsT, decay } = attrs as unknown as AdamWAttrs;
    for (let u = 0; u < I!.length; u++) {
      const at = I![u]! * d;
      for (let j = 0; j < d; j++) {
        const gi = G![u * d + j]! * s;
        M1[at + j] = beta1 * M![at + j]! + (1 - beta1) * gi;
        V1[at + j] = beta2 * V![at + j]! + (1 - beta2) * gi * gi;
        P1[at + j] = decay * R![u * d + j]! - (lrT * M1[at + j]!) / (Math.sqrt(V1[at + j]!) + epsT);
      }
    }
    return outputs;
  });
}

/**
 * The reference (and the path of backends without the kernel): gather, the AdamW update of the rows
 * (`update`: the composite by default; the backend's fused kernel where the optimiser passes
 * `applyAdamW`), scatter back.
 */
export function rowAdamWComposite(x: Record<'p' | 'm' | 'v' | 'rows' | 'g' | 'index' | 'scale', tf.Tensor>, a: AdamWAttrs, update = adamwUpdate): tf.Tensor[] {
  return tf.tidy(() => {
    const at = tf.expandDims(x.index, 1);
    const [p1, m1, v1] = update({ p: x.rows, m: tf.gather(x.m, x.index), v: tf.gather(x.v, x.index), g: x.g, scale: x.scale as tf.Scalar }, a);
    return [tf.tensorScatterUpdate(x.p, at, p1!), tf.tensorScatterUpdate(x.m, at, m1!), tf.tensorScatterUpdate(x.v, at, v1!)];
  });
}

export class RowAdamW {
  private readonly m: tf.Variable;
  private readonly v: tf.Variable;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  private readonly weightDecay: number;
  private readonly frozen: Set<number>;
  /** decayed[t] = D_t, the decay every row owes after step t (D_0 = 1). */
  private readonly decayed: number[] = [1];
  /** Per row: the step through which its decay has been applied. */
  private readonly synced: Int32Array;
  /** Steps taken. */
  t = 0;

  constructor(
    readonly table: tf.Variable,
    opts: AdamWOptions & { frozenRows?: readonly number[] },
  ) {
    if (table.rank !== 2) throw new Error(`RowAdamW trains a [rows, width] table, got shape [${table.shape}]`);
    const rows = table.shape[0]!;
    for (const r of opts.frozenRows ?? []) if (!Number.isInteger(r) || r < 0 || r >= rows) throw new RangeError(`frozen row ${r} is outside the table's ${rows} rows`);
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay;
    this.frozen = new Set(opts.frozenRows ?? []);
    this.synced = new Int32Array(rows);
    this.m = tf.tidy(() => tf.variable(tf.zerosLike(table), false));
    this.v = tf.tidy(() => tf.variable(tf.zerosLike(table), false));
  }

  /** The factor that brings row `r` up to date with step `t`. */
  private owed(r: number): number {
    return this.frozen.has(r) ? 1 : this.decayed[this.t]! / this.decayed[this.synced[r]!]!;
  }

  /**
   * The batch's rows as they truly are now ([U, d], the caller owns it): the stored rows times the decay
   * they are owed. The step computes with these and `step` writes them back updated.
   */
  currentRows(plan: TokenPlan): tf.Tensor2D {
    return tf.tidy(() => {
      const rows = tf.gather(this.table, tf.tensor1d(plan.unique, 'int32')) as tf.Tensor2D;
      const factors = Float32Array.from(plan.unique, (r) => this.owed(r));
      return factors.every((f) => f === 1) ? rows : (tf.mul(rows, tf.tensor2d(factors, [factors.length, 1])) as tf.Tensor2D);
    });
  }

  /**
   * One update with learning rate `lr` of the rows `plan.unique`, whose current values (from
   * `currentRows`) are `rows` and whose gradient is `grad` ([U, d]; times `gradScale` when given).
   * Without a gradient only the decay schedule advances. Safe inside `tf.tidy`.
   */
  step(plan: TokenPlan, rows: tf.Tensor2D, grad: tf.Tensor2D | undefined, lr: number, gradScale?: tf.Scalar): void {
    this.t++;
    const decay = this.weightDecay > 0 ? 1 - lr * this.weightDecay : 1;
    this.decayed.push(this.decayed[this.t - 1]! * decay);
    if (!grad) return;
    const keep: number[] = [];
    plan.unique.forEach((r, u) => {
      if (!this.frozen.has(r)) keep.push(u);
    });
    if (keep.length === 0) return;
    const ids = Int32Array.from(keep, (u) => plan.unique[u]!);
    tf.tidy(() => {
      const all = keep.length === plan.unique.length;
      const pick = (x: tf.Tensor2D) => (all ? x : tf.gather(x, tf.tensor1d(Int32Array.from(keep), 'int32')));
      const inputs = { p: this.table, m: this.m, v: this.v, rows: pick(rows), g: pick(grad), index: tf.tensor1d(ids, 'int32'), scale: gradScale ?? tf.scalar(1) };
      const attrs: AdamWAttrs = { ...stepConstants(this.t, lr, this), decay };
      const [p1, m1, v1] = tf.getKernel(ROW_ADAMW_KERNEL, tf.getBackend())
        ? (tf.engine().runKernel(ROW_ADAMW_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[])
        : rowAdamWComposite(inputs, attrs, applyAdamW);
      this.table.assign(p1!);
      this.m.assign(m1!);
      this.v.assign(v1!);
    });
    for (const r of ids) this.synced[r] = this.t;
  }

  /** Applies every row's owed decay, so the table holds its true values (before evaluation or saving). */
  flush(): void {
    const factors = Float32Array.from(this.synced, (_, r) => this.owed(r));
    this.synced.fill(this.t);
    if (factors.every((f) => f === 1)) return;
    tf.tidy(() => this.table.assign(tf.mul(this.table, tf.tensor2d(factors, [factors.length, 1]))));
  }

  dispose(): void {
    tf.dispose([this.m, this.v]);
  }
}
