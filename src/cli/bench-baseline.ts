/**
 * What the benches print "before → after" against: the engine before the speed work (fused kernels,
 * single ops with closed-form backwards), at commit cc9792c, measured on this 2-core machine with the
 * same commands (`npm run bench -- --runs 3` and `npm run bench:webgpu -- --runs 3` in a worktree of
 * that commit, the other core idle). Hard-coded because the old engine is not part of this one.
 */
import type { StepKind } from './bench-steps';

export const BASELINE_COMMIT = 'cc9792c';

/** WASM in Node, one thread, `paper-sst2-badnet` sizes (kernel counts are the same at the quick preset's). */
export const WASM_BASELINE: Record<StepKind, { msPerStep: number; kernelsPerStep: number }> = {
  'teacher-full': { msPerStep: 119.6, kernelsPerStep: 919 },
  'student-mlm': { msPerStep: 1264.1, kernelsPerStep: 1443 },
  'student-lora': { msPerStep: 402.9, kernelsPerStep: 1725 },
  'student-w2sdefense': { msPerStep: 562.5, kernelsPerStep: 1851 },
  'student-full': { msPerStep: 466.2, kernelsPerStep: 1485 },
};

/** The preset the WASM times were measured at: other presets print kernels before → after only. */
export const WASM_BASELINE_PRESET = 'paper-sst2-badnet';

/** Seconds per step at the PyTorch reference shape (4×256, seq 64, batch 32), WASM, one thread. */
export const REFERENCE_BASELINE = { full: 5.254, lora: 5.02 };

/**
 * WebGPU under SwiftShader in Debian's Chromium, the lab's kernels, quick preset shapes: the lab
 * variant of `npm run bench:webgpu -- --runs 3` in the worktree of that commit (median of 3 steps).
 */
export const WEBGPU_BASELINE: Record<StepKind, { msPerStep: number; dispatchesPerStep: number }> = {
  'teacher-full': { msPerStep: 212, dispatchesPerStep: 363 },
  'student-mlm': { msPerStep: 785, dispatchesPerStep: 574 },
  'student-lora': { msPerStep: 649, dispatchesPerStep: 577 },
  'student-w2sdefense': { msPerStep: 637, dispatchesPerStep: 637 },
  'student-full': { msPerStep: 553, dispatchesPerStep: 587 },
};
