/**
 * Training steps that train an encoder's token embedding. Each step plans its batch's tokens on the
 * host (`TokenPlan`), so the embedding gradient is summed in a fixed order (see token-rows.ts); with
 * `update: 'rows'` only the batch's rows are read, updated and decayed (`RowAdamW`), and the table
 * leaves the dense optimiser's list; with `'dense'` the whole table is updated by the dense AdamW.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Encoder } from '../models/encoder';
import { planTokens } from '../models/token-plan';
import { TokenRows } from '../models/token-rows';
import { RowAdamW } from './row-adamw';

export interface EmbeddingOptions {
  encoder: Encoder;
  update: 'rows' | 'dense';
  /** Rows held fixed (sparse update only; a dense one holds rows with `PinnedRows` after each step). */
  frozenRows?: readonly number[];
}

/** A step's sparse rows: the variable the step trains in the table's place, and who writes them back. */
export interface RowStep {
  rows: TokenRows & { variable: tf.Variable };
  optimizer: RowAdamW;
}

export class EmbeddingSteps {
  private readonly rowOptimizer: RowAdamW | null;
  /** What the dense optimiser trains: `variables`, less the table under a sparse update. */
  readonly denseVariables: tf.Variable[];

  constructor(
    private readonly opts: EmbeddingOptions,
    variables: tf.Variable[],
    weightDecay: number,
  ) {
    const table = opts.encoder.tokenEmbedding;
    const sparse = opts.update === 'rows' && variables.includes(table);
    this.rowOptimizer = sparse ? new RowAdamW(table, { weightDecay, ...(opts.frozenRows ? { frozenRows: opts.frozenRows } : {}) }) : null;
    this.denseVariables = sparse ? variables.filter((v) => v !== table) : variables;
  }

  /** Runs `step` with the encoder's lookups planned for `ids` (the batch's token ids, flat [B·T]). */
  run(ids: Int32Array, step: (sparse?: RowStep) => tf.Scalar): tf.Scalar {
    const plan = planTokens(ids);
    const current = this.rowOptimizer?.currentRows(plan);
    const tokenRows = current ? TokenRows.sparse(plan, current) : TokenRows.dense(plan);
    try {
      const sparse = this.rowOptimizer ? { rows: tokenRows as RowStep['rows'], optimizer: this.rowOptimizer } : undefined;
      return this.opts.encoder.withTokenRows(tokenRows, () => step(sparse));
    } finally {
      tokenRows.dispose();
      current?.dispose();
    }
  }

  /** Gives the table its true values (applies owed decay): before anything else reads it. */
  flush(): void {
    this.rowOptimizer?.flush();
  }

  dispose(): void {
    this.rowOptimizer?.dispose();
  }
}
