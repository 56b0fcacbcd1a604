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
 *
 * Across machines: `--shard i/N` runs only the cells k ≡ i (mod N) into its own `--out`, and
 * `--merge DIR... --out DIR` joins the shard folders into the one-machine layout (see docs/CLI.md).
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ATTACK_KINDS, ConfigError, LABEL_MODES, type ExperimentConfig, type LabelMode } from '../engine/config';
import { ATTACKS } from '../engine/attacks/registry';
import type { RunResults } from '../engine/events';
import {
  parseTriggerList,
  runSweep,
  shardCells,
  SweepError,
  sweepCells,
  sweepRows,
  type Shard,
  type SweepCell,
  type SweepSpec,
  type SweepTrigger,
} from '../engine/sweep';
import { fileProblem, readJsonFile } from './errors';
import { shortJson } from '../engine/short-json';
import { runFromNode } from './run-experiment';

const SWEEP_KEYS = ['triggers', 'budgets', 'labelModes'];
const SWEEP_FIX = 'give a sweep file like {"triggers": ["mn", "cf"], "budgets": [0.05, 0.2]}';

/**
 * Reads and checks a sweep file's shape; whether each cell's config is valid is `planSweep`'s check.
 * With `base`, budgets are also checked against its `attack.budgetKind`, so a rate of 1.5 is reported
 * as the file's "budgets" entry rather than as one cell's config field. Every message names the file.
 */
export async function readSweepFile(path: string, base?: ExperimentConfig): Promise<SweepSpec> {
  const file = await readJsonFile('--sweep', path, SWEEP_FIX);
  if (file === null || typeof file !== 'object' || Array.isArray(file)) throw new ConfigError('--sweep', `${path} must hold an object like {"triggers": ["mn", "cf"]}, got ${shortJson(file)}`);
  const { triggers, budgets, labelModes, ...rest } = file as Record<string, unknown>;
  const unknown = Object.keys(rest);
  // A typo such as "budget" would otherwise sweep nothing and say nothing.
  if (unknown.length > 0) throw new ConfigError('--sweep', `${path}: unknown key "${unknown[0]}"; known keys: ${SWEEP_KEYS.join(', ')}`);
  if (!Array.isArray(triggers) || triggers.length === 0) throw new ConfigError('--sweep', `${path} needs a non-empty "triggers" list, e.g. "triggers": ["mn", "cf"]`);
  const read = triggers.flatMap((t, i) => readTrigger(path, t, i));
  // Blank strings read as no trigger at all; the sweep would then fail later without naming the file.
  if (read.length === 0) throw new ConfigError('--sweep', `${path}: "triggers" holds only blank text; list triggers such as "mn" or "I watched this 3D movie"`);
  return {
    triggers: read,
    ...(budgets !== undefined ? { budgets: readBudgets(path, budgets, base) } : {}),
    ...(labelModes !== undefined ? { labelModes: readLabelModes(path, labelModes) } : {}),
  };
}

function readTrigger(path: string, t: unknown, index: number): SweepTrigger[] {
  if (typeof t === 'string') return parseTriggerList(t);
  const o = (t ?? {}) as { kind?: unknown; trigger?: unknown };
  const kind = ATTACK_KINDS.find((k) => k === o.kind);
  if (kind && (!ATTACKS[kind].usesTriggerText || typeof o.trigger === 'string')) {
    return [{ kind, trigger: typeof o.trigger === 'string' ? o.trigger : '' }];
  }
  throw new ConfigError(
    '--sweep',
    `${path}: "triggers"[${index}] must be a string or {"kind": "${ATTACK_KINDS.join('|')}", "trigger": "…"}; got ${shortJson(t)}`,
  );
}

function readBudgets(path: string, budgets: unknown, base?: ExperimentConfig): number[] {
  const bad = Array.isArray(budgets) ? budgets.find((b) => typeof b !== 'number' || !Number.isFinite(b) || b <= 0) : budgets;
  if (!Array.isArray(budgets) || bad !== undefined) {
    throw new ConfigError('--sweep', `${path}: "budgets" must be a list of positive numbers in the config's budget kind (a rate like 0.1, or a count like 500); got ${shortJson(bad)}`);
  }
  const kind = base?.attack.budgetKind;
  const misfit = (budgets as number[]).find((b) => (kind === 'rate' && b > 1) || (kind === 'count' && !Number.isInteger(b)));
  if (misfit !== undefined) {
    const fix = kind === 'rate' ? 'a rate must be in (0, 1], e.g. 0.1 for 10 %' : 'a count must be a whole number of samples, e.g. 500';
    throw new ConfigError('--sweep', `${path}: "budgets" holds ${misfit}, but the config's attack.budgetKind is "${kind}"; ${fix}`);
  }
  return budgets as number[];
}

function readLabelModes(path: string, modes: unknown): LabelMode[] {
  if (!Array.isArray(modes)) throw new ConfigError('--sweep', `${path}: "labelModes" must be a list such as ["clean", "dirty"]; got ${shortJson(modes)}`);
  const bad = modes.find((m) => !LABEL_MODES.some((known) => known === m));
  if (bad !== undefined) throw new ConfigError('--sweep', `${path}: unknown label mode ${shortJson(bad)} in "labelModes"; use ${LABEL_MODES.map((m) => `"${m}"`).join(' or ')}`);
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

/**
 * What a sweep folder holds, written beside the cells as `sweep.json`: the base config and the sweep
 * file it ran (so `--merge` can tell shards of one sweep from folders of another) and the cells it ran.
 */
interface SweepManifest {
  format: 1;
  base: ExperimentConfig;
  spec: SweepSpec;
  shard: Shard;
  ran: string[];
}

const MANIFEST = 'sweep.json';

/**
 * Runs every cell (or, with `shard`, only that shard's cells) into `<outDir>/<cell>/`, then writes
 * `sweep.json`, `summary.json` and `summary.csv` and prints the table. A shard's summary covers its own
 * cells; `mergeSweepFolders` builds the whole sweep's.
 */
export async function sweepFromNode(
  base: ExperimentConfig,
  spec: SweepSpec,
  opts: { outDir: string; backend: string; dataDir?: string; cacheDir?: string; verbose?: boolean; shard?: Shard },
): Promise<void> {
  // Every cell is checked before the first one trains, so a bad budget fails in a second, not an hour.
  const all = planSweep(base, spec);
  const shard = opts.shard ?? { index: 0, count: 1 };
  const cells = shardCells(all, shard);
  const part = shard.count > 1 ? ` (shard ${shard.index}/${shard.count}: cell ${all.indexOf(cells[0]!) + 1} of every ${shard.count})` : '';
  const done = await runSweep(cells, async (cell, i) => {
    const { kind, budget, budgetKind, labelMode } = cell.config.attack;
    console.log(`\n━━ sweep ${i + 1}/${cells.length}${part}: cell "${cell.name}" (${kind}, budget ${budget} as ${budgetKind}, ${labelMode}-label)`);
    return runFromNode({
      config: cell.config,
      outDir: join(opts.outDir, cell.name),
      backend: opts.backend,
      ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
      ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}),
      ...(opts.verbose !== undefined ? { verbose: opts.verbose } : {}),
    });
  });
  // A shard beyond the number of cells runs nothing but still says so, so that merging accepts it.
  await writeSweepFolder(opts.outDir, { format: 1, base, spec, shard, ran: cells.map((c) => c.name) }, cells, done);
}

/**
 * `--merge DIR...`: the shard folders of one sweep → one sweep folder in `outDir`, laid out as if one
 * machine had run it (every cell's folder copied, `sweep.json`, the summary over all cells in sweep
 * order). Refuses folders of different sweeps, a cell run twice and a cell no shard ran, naming them.
 */
export async function mergeSweepFolders(dirs: readonly string[], outDir: string): Promise<void> {
  if (dirs.length === 0) throw new ConfigError('--merge', 'name the shard folders to merge, e.g. --merge out/shard-0 out/shard-1 --out out/sweep');
  const manifests = await Promise.all(dirs.map(readManifest));
  const first = manifests[0]!;
  for (const [i, m] of manifests.entries()) {
    if (!isDeepStrictEqual(m.base, first.base) || !isDeepStrictEqual(m.spec, first.spec)) {
      throw new ConfigError('--merge', `${dirs[i]} ran a different sweep than ${dirs[0]} (its base config or sweep file differs); merge only shards of one sweep`);
    }
  }
  const cells = planSweep(first.base, first.spec);
  const ranIn = new Map<string, string>();
  for (const [i, m] of manifests.entries()) {
    for (const name of m.ran) {
      const other = ranIn.get(name);
      if (other !== undefined) throw new ConfigError('--merge', `the cell "${name}" is in both ${other} and ${dirs[i]}; merge each shard once`);
      ranIn.set(name, dirs[i]!);
    }
  }
  const missing = cells.map((c, k) => [c.name, k] as const).filter(([name]) => !ranIn.has(name));
  if (missing.length > 0) {
    const count = first.shard.count;
    const shards = [...new Set(missing.map(([, k]) => k % count))].map((i) => `${i}/${count}`);
    throw new ConfigError('--merge', `${missing.length} of ${cells.length} cells are missing (${missing.map(([n]) => `"${n}"`).join(', ')}); run --shard ${shards.join(', ')} and merge its folder too`);
  }
  const done: { name: string; results: RunResults }[] = [];
  for (const cell of cells) {
    const from = join(ranIn.get(cell.name)!, cell.name);
    await cp(from, join(outDir, cell.name), { recursive: true });
    done.push({ name: cell.name, results: await readCellResults(from) });
  }
  const manifest: SweepManifest = { format: 1, base: first.base, spec: first.spec, shard: { index: 0, count: 1 }, ran: cells.map((c) => c.name) };
  await writeSweepFolder(outDir, manifest, cells, done);
}

/** `sweep.json` and the summary of the cells in `done`, into `outDir` (made if missing). */
async function writeSweepFolder(outDir: string, manifest: SweepManifest, cells: readonly SweepCell[], done: readonly { name: string; results: RunResults }[]): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeSummary(outDir, cells, done);
}

/**
 * A shard folder's manifest, or a `--merge` error that says what is wrong with the folder: missing, a
 * file, without a manifest, a manifest cut short (a shard killed while writing) or not one of ours.
 */
async function readManifest(dir: string): Promise<SweepManifest> {
  const fix = 'give the --out folder of a finished sweep shard';
  let isFolder: boolean;
  try {
    isFolder = (await stat(dir)).isDirectory();
  } catch (e) {
    throw new ConfigError('--merge', `${dir} has no ${MANIFEST}: the folder cannot be opened: ${fileProblem(e)}; ${fix}`);
  }
  if (!isFolder) throw new ConfigError('--merge', `${dir} is a file, not a folder; ${fix}`);
  const file = join(dir, MANIFEST);
  if (!existsSync(file)) throw new ConfigError('--merge', `${dir} has no ${MANIFEST}: it is not the --out folder of a finished sweep shard`);
  const m = (await readJsonFile('--merge', file, 'run that shard again or leave its folder out')) as Partial<SweepManifest> | null;
  if (m === null || typeof m !== 'object' || Array.isArray(m) || m.format !== 1 || !m.base || !m.spec || !m.shard || !Array.isArray(m.ran)) {
    throw new ConfigError('--merge', `${file} is not a sweep manifest of this lab (format 1); run that shard again`);
  }
  return m as SweepManifest;
}

async function readCellResults(dir: string): Promise<RunResults> {
  try {
    return JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as RunResults;
  } catch {
    throw new ConfigError('--merge', `${dir}/results.json is missing or unreadable: that cell did not finish; run its shard again`);
  }
}

async function writeSummary(outDir: string, cells: readonly SweepCell[], done: readonly { name: string; results: RunResults }[]): Promise<void> {
  const rows = sweepRows(done);
  const summary = {
    cells: cells.map(({ name, config: { attack } }) => ({ name, kind: attack.kind, trigger: attack.trigger, budgetKind: attack.budgetKind, budget: attack.budget, labelMode: attack.labelMode })),
    rows,
  };
  await writeFile(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  // Cell and trigger names are id-safe (no commas or quotes), so the CSV needs no quoting.
  const csv = ['cell,trigger,budget,label_mode,method,ca,asr,asr_base', ...rows.map((r) => [r.cell, r.trigger, r.budget, r.labelMode, r.method, r.ca, r.asr, r.asrBase].join(','))];
  await writeFile(join(outDir, 'summary.csv'), `${csv.join('\n')}\n`);
  const width = Math.max(18, ...rows.map((r) => r.cell.length));
  console.log(`\n${'cell'.padEnd(width)} method        CA      ASR`);
  for (const r of rows) console.log(`${r.cell.padEnd(width)} ${r.method.padEnd(12)} ${(r.ca * 100).toFixed(1).padStart(5)}%  ${(r.asr * 100).toFixed(1).padStart(5)}%`);
}
