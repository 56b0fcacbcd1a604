/**
 * Trigger comparison: one experiment per trigger on the same base config. Every cell shares the
 * pretrained student and teacher through the model cache (the common rare words and the default
 * sentence are always in the vocabulary, see `RARE_TRIGGER_WORDS`), so only poisoning and the defenses
 * run again. The runner is given the function that runs one cell: the worker and the CLI each bring theirs.
 */
import { configIssues, type AttackKind, type ExperimentConfig } from './config';
import type { RunResults, StageName } from './events';

export interface SweepTrigger {
  kind: AttackKind;
  /** Ignored for `syntactic`. */
  trigger: string;
}

export interface SweepCell {
  /** Stable, id-safe name: `mn`, `i-watched-this-3d-movie`, `syntactic`. */
  name: string;
  config: ExperimentConfig;
}

export interface SweepRow {
  trigger: string;
  method: string;
  ca: number;
  asr: number;
}

export class SweepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SweepError';
  }
}

export function triggerName(t: SweepTrigger): string {
  if (t.kind === 'syntactic') return 'syntactic';
  return t.trigger.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'trigger';
}

/**
 * Reads a typed list: comma- or newline-separated; `syntactic` is the template attack, one or two
 * words are BadNet rare words, three or more words an InSent sentence.
 */
export function parseTriggerList(text: string): SweepTrigger[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s): SweepTrigger => {
      if (s.toLowerCase() === 'syntactic') return { kind: 'syntactic', trigger: '' };
      return { kind: s.split(/\s+/).length >= 3 ? 'insent' : 'badnet', trigger: s };
    });
}

/** One validated config per trigger (the base with the attack's kind and trigger replaced). */
export function sweepCells(base: ExperimentConfig, triggers: readonly SweepTrigger[], numLabels?: number): SweepCell[] {
  if (triggers.length === 0) throw new SweepError('a sweep needs at least one trigger');
  const cells = triggers.map((t) => ({
    name: triggerName(t),
    config: { ...base, attack: { ...base.attack, kind: t.kind, trigger: t.kind === 'syntactic' ? base.attack.trigger || 'syntactic' : t.trigger } },
  }));
  const names = cells.map((c) => c.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new SweepError(`the trigger "${twice}" is listed twice`);
  for (const cell of cells) {
    const issues = configIssues(cell.config, numLabels);
    if (issues.length > 0) throw new SweepError(`trigger "${cell.name}": ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`);
  }
  return cells;
}

/** Runs the cells one after another; `runCell` gets the cell and its index. */
export async function runSweep(cells: readonly SweepCell[], runCell: (cell: SweepCell, index: number) => Promise<RunResults>): Promise<{ name: string; results: RunResults }[]> {
  const out: { name: string; results: RunResults }[] = [];
  for (const [i, cell] of cells.entries()) out.push({ name: cell.name, results: await runCell(cell, i) });
  return out;
}

const METHOD_OF: [StageName, string][] = [
  ['poison', 'poisoned'],
  ['teacher', 'teacher'],
];

/** Final CA and ASR per trigger and method: the table, the heatmap and the summary file. */
export function sweepRows(cells: readonly { name: string; results: RunResults }[]): SweepRow[] {
  const rows: SweepRow[] = [];
  for (const { name, results } of cells) {
    for (const [stage, result] of Object.entries(results.stages) as [StageName, NonNullable<RunResults['stages'][StageName]>][]) {
      if (!result.final) continue;
      const method = METHOD_OF.find(([s]) => s === stage)?.[1] ?? stage.replace(/^defense:/, '');
      rows.push({ trigger: name, method, ca: result.final.ca, asr: result.final.asr });
    }
  }
  return rows;
}
