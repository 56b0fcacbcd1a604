/**
 * What the lab writes to files and reads back: the results as JSON and CSV, the config as a file, and
 * an imported config file checked with the same rules as every other edge (`configIssues`). Pure
 * string functions; the download itself is the UI's job.
 */
import { configIssues, type ExperimentConfig } from '../engine/config';
import type { RunResults, StageName } from '../engine/events';
import { methodOfStage } from './methods';

const CSV_HEADER = ['method', 'stage', 'epoch', 'ca', 'asr', 'asr_base', 'loss', 'dev_acc', 'ce', 'kd', 'fa'] as const;

/**
 * One row per stage-epoch (pretraining has no classifier and no row); empty cells where a metric is
 * missing. `ce`, `kd`, `fa`: the defense objective's unweighted terms, for defenses that use the teacher.
 */
export function resultsCsv(results: RunResults): string {
  const rows: string[][] = [[...CSV_HEADER]];
  for (const [stage, result] of Object.entries(results.stages) as [StageName, NonNullable<RunResults['stages'][StageName]>][]) {
    const method = methodOfStage(stage);
    if (!method) continue;
    for (const e of result.epochs) {
      rows.push([method, stage, String(e.epoch), num(e.ca), num(e.asr), num(e.asrBase), num(e.loss), num(e.devAcc), num(e.terms?.ce), num(e.terms?.kd), num(e.terms?.fa)]);
    }
  }
  return rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

function num(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '' : String(x);
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function resultsJson(results: RunResults): string {
  return JSON.stringify(results, null, 2);
}

export function configJson(config: ExperimentConfig): string {
  return JSON.stringify(config, null, 2);
}

type ImportedConfig = { ok: true; config: ExperimentConfig } | { ok: false; message: string };

/**
 * Reads a config file: a config as `configJson` writes it, or a results file (its `config` is used).
 * `labelCount` (when known) checks the target label against the dataset the file names.
 */
export function parseConfigFile(fileName: string, text: string, labelCount: (source: string) => number | undefined): ImportedConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `${fileName} is not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const candidate = isResults(parsed) ? parsed.config : parsed;
  const source = (candidate as { data?: { source?: unknown } } | null)?.data?.source;
  const issues = configIssues(candidate, typeof source === 'string' ? labelCount(source) : undefined);
  if (issues.length > 0) {
    return { ok: false, message: `${fileName} is not a valid config: ${issues.slice(0, 5).map((i) => `${i.field} ${i.message}`).join('; ')}${issues.length > 5 ? ` (and ${issues.length - 5} more)` : ''}` };
  }
  return { ok: true, config: candidate as ExperimentConfig };
}

function isResults(x: unknown): x is { config: unknown } {
  return typeof x === 'object' && x !== null && 'stages' in x && 'config' in x;
}
