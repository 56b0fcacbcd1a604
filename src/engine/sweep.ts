/**
 * Sweeps: one experiment per cell of triggers × poison budgets × label modes on the same base config.
 * Every cell shares the pretrained student and teacher through the model cache (the common rare words and
 * the default sentence are always in the vocabulary, see `RARE_TRIGGER_WORDS`, and neither the budget nor
 * the label mode touches the vocabulary), so only poisoning and the defenses run again. The runner is
 * given the function that runs one cell: the worker and the CLI each bring theirs.
 */
import { ATTACK_KINDS, ATTACKS } from './attacks/registry';
import { type AttackKind, type ExperimentConfig, type LabelMode } from './config';
import { configIssues } from './config-checks';
import type { RunResults, StageName } from './events';

export interface SweepTrigger {
  kind: AttackKind;
  /** Ignored by an attack that rewrites instead of inserting (`syntactic`). */
  trigger: string;
}

/** What a sweep varies. An absent or empty list keeps the base config's one value. */
export interface SweepSpec {
  triggers: SweepTrigger[];
  /** Poison budgets in the base config's `attack.budgetKind`: a rate of the eligible samples, or a count. */
  budgets?: number[];
  labelModes?: LabelMode[];
}

export interface SweepCell {
  /** Stable, id-safe name: `mn`, `i-watched-this-3d-movie`, `syntactic`, `mn-budget-0.1-clean-label`. */
  name: string;
  config: ExperimentConfig;
}

/** What tells one cell from another, read back from the attack settings its run used. */
export interface SweepCellInfo {
  /** The cell's name (the table's row, the output folder). */
  cell: string;
  /** The trigger's name (see `triggerName`). */
  trigger: string;
  budget: number;
  labelMode: LabelMode;
}

interface SweepRow extends SweepCellInfo {
  method: string;
  ca: number;
  asr: number;
  asrBase: number;
}

export class SweepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SweepError';
  }
}

function triggerName(t: SweepTrigger): string {
  if (!ATTACKS[t.kind].usesTriggerText) return t.kind;
  return t.trigger.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'trigger';
}

/**
 * Reads a typed list: comma- or newline-separated; the id of an attack that takes no trigger text
 * (`syntactic`) is that attack, one or two words are BadNet rare words, three or more words an InSent
 * sentence.
 */
export function parseTriggerList(text: string): SweepTrigger[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s): SweepTrigger => {
      const rewrite = ATTACK_KINDS.find((k) => !ATTACKS[k].usesTriggerText && k === s.toLowerCase());
      if (rewrite) return { kind: rewrite, trigger: '' };
      return { kind: s.split(/\s+/).length >= 3 ? 'insent' : 'badnet', trigger: s };
    });
}

/**
 * Reads a typed budget list: comma- or newline-separated positive numbers (`0.05, 0.2` or `100, 500`).
 * Empty text is an empty list (the base config's budget). Whether a number fits the budget kind (a rate
 * must be at most 1, a count whole) is `sweepCells`' check, which knows the config.
 */
export function parseBudgetList(text: string): number[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const budget = Number(s);
      if (!Number.isFinite(budget) || budget <= 0) {
        throw new SweepError(`the budget "${s}" is not a positive number; write budgets like 0.05, 0.2 (a rate) or 100, 500 (a count)`);
      }
      return budget;
    });
}

/**
 * One validated config per cell of triggers × budgets × label modes, in that nesting order: the base
 * with the attack's kind, trigger, budget and label mode replaced. Names grow a `-budget-<value>` or
 * `-clean-label` / `-dirty-label` suffix only for an axis that has more than one value, so a trigger-only
 * sweep keeps the plain trigger names.
 */
export function sweepCells(base: ExperimentConfig, spec: SweepSpec, numLabels?: number): SweepCell[] {
  const { triggers } = spec;
  if (triggers.length === 0) throw new SweepError('a sweep needs at least one trigger');
  const budgets = spec.budgets?.length ? spec.budgets : [base.attack.budget];
  const labelModes = spec.labelModes?.length ? spec.labelModes : [base.attack.labelMode];
  listedOnce(triggers.map(triggerName), (n) => `the trigger "${n}" is listed twice`);
  listedOnce(budgets.map(String), (b) => `the budget ${b} is listed twice`);
  listedOnce(labelModes, (m) => `the label mode "${m}" is listed twice`);
  const cells = triggers.flatMap((t) =>
    budgets.flatMap((budget) =>
      labelModes.map((labelMode) => ({
        name: triggerName(t) + (budgets.length > 1 ? `-budget-${budget}` : '') + (labelModes.length > 1 ? `-${labelMode}-label` : ''),
        config: {
          ...base,
          // An attack without trigger text keeps the base's (unused) text, so the config stays valid.
          attack: { ...base.attack, kind: t.kind, trigger: ATTACKS[t.kind].usesTriggerText ? t.trigger : base.attack.trigger || t.kind, budget, labelMode },
        },
      })),
    ),
  );
  // The axes are each free of repeats, so a clash here is two triggers whose names sanitise alike.
  listedOnce(cells.map((c) => c.name), (n) => `the cell "${n}" is listed twice`);
  for (const cell of cells) {
    const issues = configIssues(cell.config, numLabels);
    if (issues.length > 0) throw new SweepError(`cell "${cell.name}": ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`);
  }
  return cells;
}

function listedOnce(values: readonly string[], message: (twice: string) => string): void {
  const twice = values.find((v, i) => values.indexOf(v) !== i);
  if (twice !== undefined) throw new SweepError(message(twice));
}

/** One machine's share of a sweep: the cells whose index k satisfies k ≡ index (mod count). */
export interface Shard {
  /** 0-based, below `count` (a Slurm array `--array=0-3`, or `parallel … ::: 0 1 2 3`). */
  index: number;
  count: number;
}

/** Reads `i/N` (e.g. `0/4`); anything else is a `SweepError` that shows the form. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index >= count) {
    throw new SweepError(`the shard "${text}" is not i/N with 0 ≤ i < N; write e.g. 0/4 … 3/4 to split a sweep over 4 machines`);
  }
  return { index, count };
}

/**
 * The shard's cells. Round-robin rather than contiguous blocks: cells that share a trigger sit next to
 * each other, and cells of one trigger cost about the same, so striding spreads the expensive ones.
 */
export function shardCells<T>(cells: readonly T[], shard: Shard): T[] {
  return cells.filter((_, k) => k % shard.count === shard.index);
}

/** Runs the cells one after another; `runCell` gets the cell and its index. */
export async function runSweep(cells: readonly SweepCell[], runCell: (cell: SweepCell, index: number) => Promise<RunResults>): Promise<{ name: string; results: RunResults }[]> {
  const out: { name: string; results: RunResults }[] = [];
  for (const [i, cell] of cells.entries()) out.push({ name: cell.name, results: await runCell(cell, i) });
  return out;
}

/** A finished cell's trigger, budget and label mode, from the config its run reports. */
export function sweepCellInfo(name: string, results: RunResults): SweepCellInfo {
  const { attack } = results.config;
  return { cell: name, trigger: triggerName(attack), budget: attack.budget, labelMode: attack.labelMode };
}

const METHOD_OF: [StageName, string][] = [
  ['task', 'task-model'],
  ['poison', 'poisoned'],
  ['teacher', 'teacher'],
];

/** Final CA and ASR per cell and method: the table, the heatmap and the summary file. */
export function sweepRows(cells: readonly { name: string; results: RunResults }[]): SweepRow[] {
  const rows: SweepRow[] = [];
  for (const { name, results } of cells) {
    const info = sweepCellInfo(name, results);
    for (const [stage, result] of Object.entries(results.stages) as [StageName, NonNullable<RunResults['stages'][StageName]>][]) {
      if (!result.final) continue;
      const method = METHOD_OF.find(([s]) => s === stage)?.[1] ?? stage.replace(/^defense:/, '');
      rows.push({ ...info, method, ca: result.final.ca, asr: result.final.asr, asrBase: result.final.asrBase });
    }
  }
  return rows;
}
