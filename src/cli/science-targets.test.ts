import { describe, expect, it } from 'vitest';
import type { RunResults } from '../engine/events';
import { renderTargets, type Finished } from './science-targets';

type Final = { ca: number; asr: number; asrBase: number };

/** A hand-made run: only what the targets read (each stage's final metrics and the clean-model floor). */
function run(finals: Record<string, Final>, cleanModelAsr: number): Finished {
  const stages = Object.fromEntries(Object.entries(finals).map(([stage, final]) => [stage, { epochs: [], final, seconds: 1, samplesPerSecond: 1 }]));
  return { results: { stages, floors: { cleanModelAsr, triggered: 100, cleanTest: 200 } } as unknown as RunResults, wall: 90, firstMetrics: 2 };
}

const row = (lines: string[], start: string) => {
  const found = lines.find((l) => l.startsWith(`| ${start}`));
  if (!found) throw new Error(`no row starting "${start}" in:\n${lines.join('\n')}`);
  return found.split('|').map((c) => c.trim()).slice(1, -1);
};

describe('renderTargets', () => {
  // Seed A: every part holds. Seed B: W2SDefense 10.1 points over the clean floor (0.25 > 0.149 + 0.1), the
  // teacher above the task model, and 5 points of its ASR above its own floor.
  const seedA = run(
    {
      task: { ca: 0.9, asr: 0.1, asrBase: 0.1 },
      poison: { ca: 0.89, asr: 1, asrBase: 0.1 },
      teacher: { ca: 0.85, asr: 0.1, asrBase: 0.1 },
      'defense:lora': { ca: 0.9, asr: 0.9, asrBase: 0.1 },
      'defense:w2sdefense': { ca: 0.9, asr: 0.12, asrBase: 0.1 },
    },
    0.1,
  );
  const seedB = run(
    {
      task: { ca: 0.8, asr: 0.149, asrBase: 0.1 },
      poison: { ca: 0.8, asr: 0.97, asrBase: 0.1 },
      teacher: { ca: 0.81, asr: 0.1, asrBase: 0.1 },
      'defense:lora': { ca: 0.8, asr: 0.99, asrBase: 0.1 },
      'defense:w2sdefense': { ca: 0.8, asr: 0.25, asrBase: 0.2 },
    },
    0.149,
  );
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
});
