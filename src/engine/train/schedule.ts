/**
 * Learning-rate schedule: linear warm-up from 0, then linear decay to 0 at the last step — the
 * `get_linear_schedule_with_warmup` of Hugging Face transformers, which the paper's trainer uses.
 */

interface ScheduleConfig {
  /** Peak learning rate. */
  lr: number;
  /** Share of all steps spent warming up; warm-up steps = ceil(totalSteps · warmupRatio) (as HF). */
  warmupRatio: number;
}

/** Learning rate for 0-based `step` of `totalSteps`: 0 at step 0 of a warm-up, peak at its end, 0 at the end. */
export function lrAt(step: number, totalSteps: number, cfg: ScheduleConfig): number {
  const warmup = Math.ceil(totalSteps * cfg.warmupRatio);
  if (step < warmup) return (cfg.lr * step) / Math.max(1, warmup);
  return cfg.lr * Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmup));
}
