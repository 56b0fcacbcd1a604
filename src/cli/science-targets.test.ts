import { describe, expect, it } from 'vitest';
import type { RunResults } from '../engine/events';
import { renderTargets, type Finished } from './science-targets';

type Final = { ca: number; asr: number; asrBase: number };

/** A hand-made run: only what the targets read (each stage's final metrics and the clean-model floor). */
function run(finals: Record<string, Final>, cleanModelAsr: number): Finished {
  const stages = Object.fromEntries(Object.entries(finals).map(([stage, final]) => [stage, { epochs: [], final, seconds: 1, samplesPerSecond: 1 }]));
  return { results: { stages, floors: { cleanModelAsr, triggered: 100, cleanTest: 200 } } as unknown as RunResults, wall: 90, firstMetrics: 2 };
}

const STAGES = ['task', 'poison', 'teacher', 'defense:lora', 'defense:w2sdefense'] as const;

/** A run from each stage's [CA, ASR, ASR floor], in `STAGES` order. */
const seed = (finals: [number, number, number][], cleanModelAsr: number) =>
  run(Object.fromEntries(STAGES.map((stage, i) => [stage, { ca: finals[i]![0], asr: finals[i]![1], asrBase: finals[i]![2] }])), cleanModelAsr);

const row = (lines: string[], start: string) => {
  const found = lines.find((l) => l.startsWith(`| ${start}`));
  if (!found) throw new Error(`no row starting "${start}" in:\n${lines.join('\n')}`);
  return found.split('|').map((c) => c.trim()).slice(1, -1);
};

describe('renderTargets', () => {
  // Seed A: every part holds. Seed B: W2SDefense 10.1 points over the clean floor (0.25 > 0.149 + 0.1), the
  // teacher above the task model, and 5 points of its ASR above its own floor. [CA, ASR, ASR floor] per
  // stage: public task model, poisoned, teacher, plain LoRA, W2SDefense.
  const seedA = seed([[0.9, 0.1, 0.1], [0.89, 1, 0.1], [0.85, 0.1, 0.1], [0.9, 0.9, 0.1], [0.9, 0.12, 0.1]], 0.1);
  const seedB = seed([[0.8, 0.149, 0.1], [0.8, 0.97, 0.1], [0.81, 0.1, 0.1], [0.8, 0.99, 0.1], [0.8, 0.25, 0.2]], 0.149);
  const lines = renderTargets('quick', [seedA, seedB]);

  it('counts each part of the lesson seed by seed', () => {
    expect(row(lines, 'poisoned ASR')).toEqual(['poisoned ASR ≥ 95 % on every seed', 'yes', '2 of 2 seeds (mean ASR 98.5, CA 84.5)']);
    expect(row(lines, '`w2sdefense` ASR ≤')[1]).toBe('**no**');
    expect(row(lines, '`w2sdefense` ASR ≤')[2]).toBe('1 of 2 seeds (mean 18.5)');
    expect(row(lines, 'plain `lora`')[2]).toBe('94.5 (≥ 60 % on 2 of 2 seeds)');
  });

  it('says on how many seeds the teacher is below the public task model, beside the means', () => {
    // Means: teacher 83.0 < task 85.0 (met), though seed B's teacher is above its task model.
    expect(row(lines, 'teacher CA')).toEqual(['teacher CA below the student’s', 'yes', 'teacher 83.0 vs student 85.0 (public task model); below on 1 of 2 seeds']);
  });

  it("reports W2SDefense's ASR above its own floor per seed, as no target", () => {
    expect(row(lines, '(what is left)')).toEqual(['(what is left) `w2sdefense` ASR above its own floor, points', '—', '2.0, 5.0']);
  });

  it('says on which seeds a repair back to a clean model could meet the W2SDefense target at all', () => {
    // Seed A: floor 10.0 ≤ ½ of plain LoRA's 90 (45.0). Seed C: floor 50.0 > ½ of 80 (40.0), so even a model
    // exactly as clean as the public task model misses the target there.
    const seedC = seed([[0.8, 0.5, 0.5], [0.8, 1, 0.5], [0.79, 0.5, 0.5], [0.8, 0.8, 0.5], [0.8, 0.5, 0.5]], 0.5);
    expect(row(renderTargets('paper-sst2-syntactic', [seedA, seedC]), '(reachable)').slice(1)).toEqual(['—', '1 of 2 seeds (floor vs ½ `lora`: 10.0 vs 45.0; 50.0 vs 40.0)']);
  });
});
