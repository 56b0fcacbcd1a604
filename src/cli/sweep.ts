/**
 * `npm run experiment -- --sweep FILE.json`: one experiment per cell of triggers × poison budgets × label
 * modes on the base config (preset and flags as usual), sharing the model cache, so the pretrained student
 * and teacher are trained once. Writes `<out>/<cell>/{results.json,events.jsonl}` per cell and
 * `<out>/summary.{json,csv}`.
 *
 * FILE.json: `{"triggers": ["mn", "cf", "I watched this 3D movie", "syntactic"], "budgets": [0.05, 0.2],
 * "labelModes": ["clean", "dirty"]}`. Triggers are read like the lab's trigger box, or given as
 * `{"kind": "insent", "trigger": "…"}`. Budgets are in the base config's `attack.budgetKind` (a rate of
 * the eligible samples, or a count). `budgets` and `labelModes` are optional: absent, each cell keeps the
 * base config's one value. Cell names are the trigger's, plus `-budget-<value>` / `-clean-label` /
 * `-dirty-label` when that axis has more than one value (see `sweepCells`).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ATTACK_KINDS, ConfigError, LABEL_MODES, type ExperimentConfig, type LabelMode } from '../engine/config';
import { parseTriggerList, runSweep, SweepError, sweepCells, sweepRows, type SweepCell, type SweepSpec, type SweepTrigger } from '../engine/sweep';
import { runFromNode } from './run-experiment';

const SWEEP_KEYS = ['triggers', 'budgets', 'labelModes'];

/** Reads and checks a sweep file's shape; whether each cell's config is valid is `planSweep`'s check. */
export async function readSweepFile(path: string): Promise<SweepSpec> {
  let file: unknown;
  try {
    file = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new ConfigError('--sweep', `cannot read ${path} as JSON: ${(e as Error).message}`);
  }
  if (file === null || typeof file !== 'object' || Array.isArray(file)) throw new ConfigError('--sweep', `${path} must hold an object like {"triggers": ["mn", "cf"]}`);
  const { triggers, budgets, labelModes, ...rest } = file as Record<string, unknown>;
  const unknown = Object.keys(rest);
  // A typo such as "budget" would otherwise sweep nothing and say nothing.
  if (unknown.length > 0) throw new ConfigError('--sweep', `${path}: unknown key "${unknown[0]}"; known keys: ${SWEEP_KEYS.join(', ')}`);
  if (!Array.isArray(triggers) || triggers.length === 0) throw new ConfigError('--sweep', `${path} needs a non-empty "triggers" list`);
  return {
    triggers: triggers.flatMap(readTrigger),
    ...(budgets !== undefined ? { budgets: readBudgets(path, budgets) } : {}),
    ...(labelModes !== undefined ? { labelModes: readLabelModes(path, labelModes) } : {}),
  };
}

function readTrigger(t: unknown): SweepTrigger[] {
  if (typeof t === 'string') return parseTriggerList(t);
  const o = (t ?? {}) as { kind?: unknown; trigger?: unknown };
  if (ATTACK_KINDS.some((k) => k === o.kind) && (o.kind === 'syntactic' || typeof o.trigger === 'string')) {
    return [{ kind: o.kind as SweepTrigger['kind'], trigger: typeof o.trigger === 'string' ? o.trigger : '' }];
  }
  throw new ConfigError('--sweep', `each trigger is a string or {"kind": "${ATTACK_KINDS.join('|')}", "trigger": "…"}; got ${JSON.stringify(t)}`);
}

function readBudgets(path: string, budgets: unknown): number[] {
  const bad = Array.isArray(budgets) ? budgets.find((b) => typeof b !== 'number' || !Number.isFinite(b) || b <= 0) : budgets;
  if (!Array.isArray(budgets) || bad !== undefined) {
    throw new ConfigError('--sweep', `${path}: "budgets" must be a list of positive numbers in the config's budget kind (a rate like 0.1, or a count like 500); got ${JSON.stringify(bad)}`);
  }
  return budgets as number[];
}

function readLabelModes(path: string, modes: unknown): LabelMode[] {
  if (!Array.isArray(modes)) throw new ConfigError('--sweep', `${path}: "labelModes" must be a list such as ["clean", "dirty"]; got ${JSON.stringify(modes)}`);
  const bad = modes.find((m) => !LABEL_MODES.some((known) => known === m));
  if (bad !== undefined) throw new ConfigError('--sweep', `${path}: unknown label mode ${JSON.stringify(bad)} in "labelModes"; use ${LABEL_MODES.map((m) => `"${m}"`).join(' or ')}`);
  return modes as LabelMode[];
}

/** The sweep's cells, or a `ConfigError` on `--sweep` naming the cell and the field (e.g. a rate of 1.5). */
export function planSweep(base: ExperimentConfig, spec: SweepSpec): SweepCell[] {
  try {
    return sweepCells(base, spec);
  } catch (error) {
    if (error instanceof SweepError) throw new ConfigError('--sweep', error.message);
    throw error;
  }
}

/** Runs every cell into `<outDir>/<cell>/`, then writes `summary.json` and `summary.csv` and prints the table. */
export async function sweepFromNode(
  base: ExperimentConfig,
  spec: SweepSpec,
  opts: { outDir: string; backend: string; dataDir?: string; cacheDir?: string; verbose?: boolean },
): Promise<void> {
  // Every cell is checked before the first one trains, so a bad budget fails in a second, not an hour.
  const cells = planSweep(base, spec);
  const done = await runSweep(cells, async (cell, i) => {
    const { kind, budget, budgetKind, labelMode } = cell.config.attack;
    console.log(`\n━━ sweep ${i + 1}/${cells.length}: cell "${cell.name}" (${kind}, budget ${budget} as ${budgetKind}, ${labelMode}-label)`);
    return runFromNode({
      config: cell.config,
      outDir: join(opts.outDir, cell.name),
      backend: opts.backend,
      ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
      ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}),
      ...(opts.verbose !== undefined ? { verbose: opts.verbose } : {}),
    });
  });
  const rows = sweepRows(done);
  const summary = {
    cells: cells.map(({ name, config: { attack } }) => ({ name, kind: attack.kind, trigger: attack.trigger, budgetKind: attack.budgetKind, budget: attack.budget, labelMode: attack.labelMode })),
    rows,
  };
  await writeFile(join(opts.outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  // Cell and trigger names are id-safe (no commas or quotes), so the CSV needs no quoting.
  const csv = ['cell,trigger,budget,label_mode,method,ca,asr,asr_base', ...rows.map((r) => [r.cell, r.trigger, r.budget, r.labelMode, r.method, r.ca, r.asr, r.asrBase].join(','))];
  await writeFile(join(opts.outDir, 'summary.csv'), `${csv.join('\n')}\n`);
  const width = Math.max(18, ...rows.map((r) => r.cell.length));
  console.log(`\n${'cell'.padEnd(width)} method        CA      ASR`);
  for (const r of rows) console.log(`${r.cell.padEnd(width)} ${r.method.padEnd(12)} ${(r.ca * 100).toFixed(1).padStart(5)}%  ${(r.asr * 100).toFixed(1).padStart(5)}%`);
}
