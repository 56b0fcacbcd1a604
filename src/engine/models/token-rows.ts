/**
 * How one training step looks its tokens up, when it trains the token embedding. Two stages, both
 * with fixed-order gradients:
 *
 *   rows  = the table's rows of the batch's distinct ids     [U, d]
 *   token = rows[inverse]                                     [N, d]  (`gatherSegments`)
 *
 * The second stage's gradient sums each id's positions in a fixed order, on the device, from the
 * host's plan; the first stage then only scatters distinct rows, which no two invocations ever add
 * into. So the same config, seed and backend give the same numbers twice, WebGPU included.
 *
 * - `dense`: rows are gathered from the table inside the step, so the table gets a full [V, d]
 *   gradient (zero outside the batch's rows). Used where the table has other readers in the step:
 *   the tied decoder of masked-LM pretraining reads every row.
 * - `sparse`: rows are a variable of their own for the step, holding the rows' current values;
 *   the step's gradient is [U, d] and `RowAdamW` writes the rows back into the table.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { SegmentTensors } from '../kernels/row-segment-sum';
import { gatherRows, gatherSegments } from './matmul';
import type { TokenPlan } from './token-plan';

export class TokenRows {
  private readonly segments: SegmentTensors;
  private readonly unique: tf.Tensor1D;

  private constructor(
    readonly plan: TokenPlan,
    /** Sparse mode: the rows the step trains in place of the table. */
    readonly variable: tf.Variable | null,
  ) {
    this.unique = tf.tensor1d(plan.unique, 'int32');
    this.segments = {
      inverse: tf.tensor1d(plan.inverse, 'int32'),
      order: tf.tensor1d(plan.order, 'int32'),
      offsets: tf.tensor1d(plan.offsets, 'int32'),
    };
  }

  /** Rows gathered from the table inside the step (the table gets a dense gradient). */
  static dense(plan: TokenPlan): TokenRows {
    return new TokenRows(plan, null);
  }

  /** `rows` ([U, d], the plan's distinct ids' current values) trained as a variable of their own. */
  static sparse(plan: TokenPlan, rows: tf.Tensor2D): TokenRows {
    return new TokenRows(plan, tf.variable(rows, true));
  }

  /** table: [V, d], ids: [N] int32 (the ids the plan was made from) → [N, d]. */
  lookup(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
    if (ids.size !== this.plan.ids.length) {
      throw new Error(`the step looks up ${ids.size} tokens, but its token plan was made for ${this.plan.ids.length}`);
    }
    const rows = this.variable ?? gatherRows(table, this.unique); // [U, d]
    return gatherSegments(rows as tf.Tensor2D, this.segments); // [N, d]
  }

  dispose(): void {
    tf.dispose([this.unique, this.segments.inverse, this.segments.order, this.segments.offsets]);
    this.variable?.dispose();
  }
}
