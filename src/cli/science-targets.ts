/**
 * The lesson's targets in `npm run bench:science`'s report, checked per seed and on the means (reported,
 * never asserted): the backdoor planted on every seed; plain LoRA keeps it; W2SDefense takes it to the
 * clean model's floor and below half of plain LoRA's on (nearly) every seed, at the poisoned student's
 * CA; the teacher weaker than the student. Beside them, what is left of the backdoor after W2SDefense:
 * its ASR above its own floor (the same sentences untriggered), which the clean-model target mixes with
 * the defended model's ordinary mistakes. And on how many seeds the W2SDefense target could be met at all by
 * a repair that ends exactly where a clean model is: where half of plain LoRA's ASR is below the clean
 * model's own ASR on the triggered sentences (the syntactic template on SST-2, docs/FINDINGS.md *Round 20*),
 * only a model that the trigger moves *less* than a clean one meets it.
 */
import type { RunResults, StageName } from '../engine/events';
import { meanStd } from '../engine/metrics/metrics';

/** One finished run of the benchmark: its results, wall seconds and seconds to the first chart point (NaN when not recorded). */
export type Finished = { results: RunResults; wall: number; firstMetrics: number };

export const meanOf = (xs: number[]) => (xs.length ? meanStd(xs).mean : Number.NaN);

const finalOf = (runs: Finished[], stage: StageName) => runs.map((r) => r.results.stages[stage]?.final).filter((f): f is NonNullable<typeof f> => !!f);

/** The targets table (markdown lines) for one preset's runs. */
export function renderTargets(preset: string, runs: Finished[]): string[] {
  const m = (stage: StageName, k: 'ca' | 'asr' | 'asrBase') => meanOf(finalOf(runs, stage).map((f) => f[k]));
  const pct = (x: number) => `${(x * 100).toFixed(1)}`;
  const poisoned = { ca: m('poison', 'ca'), asr: m('poison', 'asr') };
  const student = m('task', 'ca');
  const lora = m('defense:lora', 'asr');
  const w2s = { ca: m('defense:w2sdefense', 'ca'), asr: m('defense:w2sdefense', 'asr') };
  const teacher = m('teacher', 'ca');
  const studentCa = Number.isNaN(student) ? poisoned.ca : student;
  const walls = runs.map((r) => r.wall).filter((w) => !Number.isNaN(w));
  const known = (...xs: number[]) => xs.every((x) => !Number.isNaN(x));
  // Per seed: the runs where each part of the lesson holds.
  const perSeed = runs.map(({ results: r }) => {
    const s = r.stages;
    const clean = r.floors?.cleanModelAsr ?? Number.NaN;
    const w = s['defense:w2sdefense']?.final;
    const l = s['defense:lora']?.final;
    const seedStudent = (s.task ?? s.poison)?.final?.ca;
    const seedTeacher = s.teacher?.final?.ca;
    // The W2SDefense target's two bounds: the clean model's floor + 10 points, and half of plain LoRA's ASR.
    const halfLora = l ? l.asr / 2 : Number.NaN;
    const bounded = known(clean, halfLora);
    return {
      planted: (s.poison?.final?.asr ?? 0) >= 0.95,
      removed: !!w && bounded && w.asr <= clean + 0.1 && w.asr <= halfLora,
      kept: !!l && l.asr >= 0.6,
      weakTeacher: seedStudent !== undefined && seedTeacher !== undefined && seedTeacher < seedStudent,
      residue: w ? w.asr - w.asrBase : Number.NaN,
      // A model at the clean model's own ASR meets both bounds (the floor + 10 always) iff this holds.
      reachable: bounded && clean <= halfLora,
      bound: bounded ? `${pct(clean)} vs ${pct(halfLora)}` : undefined,
    };
  });
  const count = (k: 'planted' | 'removed' | 'kept' | 'weakTeacher' | 'reachable') => perSeed.filter((x) => x[k]).length;
  const residues = perSeed.map((x) => x.residue).filter((x) => !Number.isNaN(x));
  const n = runs.length;
  const need = n >= 10 ? n - 1 : n; // 9 of 10 seeds; every seed of a shorter series
  const rows: [string, boolean | undefined, string][] = [
    ['poisoned ASR ≥ 95 % on every seed', count('planted') === n, `${count('planted')} of ${n} seeds (mean ASR ${pct(poisoned.asr)}, CA ${pct(poisoned.ca)})`],
    ['plain `lora` ASR ≥ 60 % (mean)', known(lora) ? lora >= 0.6 : undefined, `${pct(lora)} (≥ 60 % on ${count('kept')} of ${n} seeds)`],
    [`\`w2sdefense\` ASR ≤ clean-model floor + 10 and ≤ ½ \`lora\`’s on ≥ ${need} of ${n} seeds`, count('removed') >= need, `${count('removed')} of ${n} seeds (mean ${pct(w2s.asr)})`],
    ['`w2sdefense` CA within 2 points of the poisoned student’s', known(w2s.ca, poisoned.ca) ? w2s.ca >= poisoned.ca - 0.02 : undefined, `${pct(w2s.ca)} vs ${pct(poisoned.ca)}`],
    ['teacher CA below the student’s', known(teacher, studentCa) ? teacher < studentCa : undefined, `teacher ${pct(teacher)} vs student ${pct(studentCa)}${Number.isNaN(student) ? ' (poisoned)' : ' (public task model)'}; below on ${count('weakTeacher')} of ${n} seeds`],
  ];
  // Not a target: how much of W2SDefense's ASR the trigger still causes, seed by seed.
  if (residues.length) rows.push(['(what is left) `w2sdefense` ASR above its own floor, points', undefined, residues.map((x) => pct(x)).join(', ')]);
  // Not a target: whether the W2SDefense target asks for less than a clean model, seed by seed.
  const bounds = perSeed.map((x) => x.bound).filter((x): x is string => x !== undefined);
  if (bounds.length) rows.push(['(reachable) clean-model floor ≤ ½ `lora`’s, so a repair back to a clean model meets the `w2sdefense` target', undefined, `${count('reachable')} of ${n} seeds (floor vs ½ \`lora\`: ${bounds.join('; ')})`]);
  if (preset === 'quick' && walls.length) rows.push(['quick ≤ 120 s end to end (WASM; 60 s the goal)', Math.max(...walls) <= 120, `${walls.map((w) => w.toFixed(0)).join(', ')} s`]);
  const firsts = runs.map((r) => r.firstMetrics).filter((x) => !Number.isNaN(x));
  if (preset === 'quick' && firsts.length) rows.push(['quick: first epoch metrics ≤ 10 s', Math.max(...firsts) <= 10, `${firsts.map((w) => w.toFixed(1)).join(', ')} s`]);
  return ['Targets, per seed and on the means:', '', '| target | met | measured |', '|---|---|---|', ...rows.map(([t, ok, v]) => `| ${t} | ${ok === undefined ? '—' : ok ? 'yes' : '**no**'} | ${v} |`), ''];
}
