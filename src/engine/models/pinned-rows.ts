/**
 * Pinned embedding rows: some rows of a table held at their current values while everything else
 * trains. Used to keep a trigger's own embedding row out of full-FT poisoning, so the backdoor has to be
 * written into shared weights (the regime of an LLM poisoned at a tiny learning rate). Only for the
 * dense embedding update (`embeddingUpdate: 'dense'`): the sparse one (`RowAdamW`) never touches
 * frozen rows in the first place.
 *
 * Why restore after each step rather than mask the gradient: AdamW's decoupled weight decay moves a row
 * even when its gradient is zero, and its moments would still carry earlier updates. Writing the saved
 * rows back with `where` after every step keeps them equal bit for bit.
 */
import * as tf from '@tensorflow/tfjs-core';

export class PinnedRows {
  /** [V, d]: true on pinned rows. */
  private readonly mask: tf.Tensor2D;
  /** [V, d]: the table as it was when pinned (only the pinned rows are ever read). */
  private readonly saved: tf.Tensor2D;

  constructor(
    private readonly table: tf.Variable,
    readonly rows: readonly number[],
  ) {
    const [V, d] = table.shape as [number, number];
    for (const r of rows) if (!Number.isInteger(r) || r < 0 || r >= V) throw new RangeError(`pinned row ${r} is outside the table's ${V} rows`);
    const flags = new Uint8Array(V * d);
    for (const r of rows) flags.fill(1, r * d, (r + 1) * d);
    this.mask = tf.tensor2d(flags, [V, d], 'bool');
    this.saved = tf.clone(table) as tf.Tensor2D;
  }

  /** Writes the pinned rows back to their saved values. */
  restore(): void {
    if (this.rows.length === 0) return;
    tf.tidy(() => this.table.assign(tf.where(this.mask, this.saved, this.table as tf.Tensor)));
  }

  dispose(): void {
    this.mask.dispose();
    this.saved.dispose();
  }
}
