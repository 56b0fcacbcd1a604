/**
 * What the lab writes to files and reads back: the results as JSON and CSV, the config as a file, and
 * an imported config file checked with the same rules as every other edge (`configIssues`). Pure
 * string functions; the download itself is the UI's job.
 */
import { isPlainObject, type ExperimentConfig } from '../engine/config';
import { configIssues } from '../engine/config-checks';
import { configShapeIssues } from '../engine/config-shape';
import type { RunResults, StageName } from '../engine/events';
import { methodOfStage } from './methods';
import { errorMessage } from '../engine/error-message';

const CSV_HEADER = ['method', 'stage', 'epoch', 'ca', 'asr', 'asr_base', 'loss', 'dev_acc', 'dev_asr', 'ce', 'kd', 'fa'] as const;

/**
 * One row per stage-epoch (pretraining has no classifier and no row); empty cells where a metric is
 * missing. `dev_asr`: poisoning only, the triggered dev ASR that decides when it stops (`poison.untilAsr`).
 * `ce`, `kd`, `fa`: the defense objective's unweighted terms, for defenses that use the teacher.
 */
export function resultsCsv(results: RunResults): string {
  const rows: string[][] = [[...CSV_HEADER]];
  for (const [stage, result] of Object.entries(results.stages) as [StageName, NonNullable<RunResults['stages'][StageName]>][]) {
    const method = methodOfStage(stage);
    if (!method) continue;
    for (const e of result.epochs) {
      rows.push([method, stage, String(e.epoch), num(e.ca), num(e.asr), num(e.asrBase), num(e.loss), num(e.devAcc), num(e.devAsr), num(e.terms?.ce), num(e.terms?.kd), num(e.terms?.fa)]);
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
type Issue = { field: string; message: string };

/**
 * A config is a few KB and a results file tens of KB. A file past 1 MB is something else (a dataset,
 * a log, a model), and parsing it would only stall the page before saying so.
 */
export const MAX_CONFIG_FILE_CHARS = 1_000_000;

/**
 * Reads a config file: a config as `configJson` writes it, or a results file (its `config` is used).
 * `labelCount` (when known) checks the target label against the dataset the file names. Never throws;
 * a file it cannot use yields one message that names the file and the fields (the caller keeps the
 * current settings). A `data.source` naming an uploaded file the page lacks is accepted: Run asks for it.
 */
export function parseConfigFile(fileName: string, text: string, labelCount: (source: string) => number | undefined): ImportedConfig {
  try {
    return parseConfigFileOrThrow(fileName, text, labelCount);
  } catch (error) {
    // A file is untrusted input; reaching this line is a bug here, and the page must still go on.
    return { ok: false, message: `${fileName} could not be read (${errorMessage(error)})` };
  }
}

function parseConfigFileOrThrow(fileName: string, text: string, labelCount: (source: string) => number | undefined): ImportedConfig {
  const json = readJson(fileName, text);
  if (!json.ok) return json;
  const found = findConfig(fileName, json.value);
  if (!found.ok) return found;
  const issues = fileIssues(found.config, labelCount);
  if (issues.length > 0) {
    const shown = issues.slice(0, 5).map((i) => `${i.field} ${i.message}`).join('; ');
    return { ok: false, message: `${found.heading}: ${shown}${issues.length > 5 ? ` (and ${issues.length - 5} more)` : ''}` };
  }
  return { ok: true, config: found.config as unknown as ExperimentConfig };
}

function readJson(fileName: string, text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (text.length > MAX_CONFIG_FILE_CHARS) {
    const mb = (text.length / 1_000_000).toFixed(1);
    return { ok: false, message: `${fileName} is ${mb} MB, over the 1 MB a config file may be (a config is a few KB): load a file the lab wrote with Save config, or a results file` };
  }
  // Windows editors start UTF-8 files with a byte-order mark, which JSON.parse rejects; it carries nothing.
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') return { ok: false, message: `${fileName} is empty: load a file the lab wrote with Save config, or a results file` };
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    const cut = endsEarly(body) ? ': it stops in the middle, as if cut short; save or download it again' : '';
    return { ok: false, message: `${fileName} is not JSON${cut} (${errorMessage(error)})` };
  }
}

/** Characters JSON allows outside strings: structure, space, numbers, and the letters of true/false/null. */
const JSON_BARE = /[\s{}[\]:,0-9+\-.eEtrufalsn]/;

/**
 * Whether `text` reads as the start of a JSON document that was cut off: nothing but JSON outside its
 * strings, brackets that match, and a string or a bracket still open at the end. A syntax error
 * elsewhere (`{nope`) is not a cut, and JSON.parse's own wording differs between browsers.
 */
function endsEarly(text: string): boolean {
  const open: string[] = [];
  let inString = false;
  let escaped = false;
  for (const ch of text) {
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') open.push(ch === '{' ? '}' : ']');
    else if (ch === '}' || ch === ']') {
      if (open.pop() !== ch) return false;
    } else if (!JSON_BARE.test(ch)) return false;
  }
  return inString || open.length > 0;
}

type Found = { ok: true; config: Record<string, unknown>; heading: string } | { ok: false; message: string };

/** The config object in the parsed file: the file itself, or a results file's `config`. */
function findConfig(fileName: string, value: unknown): Found {
  if (isResults(value)) {
    if (!isPlainObject(value.config)) return { ok: false, message: `${fileName} is a results file, but its "config" is ${describe(value.config)}, not a config object` };
    return { ok: true, config: value.config, heading: `${fileName} is a results file whose config is not valid` };
  }
  if (!isPlainObject(value)) return { ok: false, message: `${fileName} holds ${describe(value)}, not a config: a config file is one JSON object, as Save config writes it` };
  return { ok: true, config: value, heading: `${fileName} is not a valid config` };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a JSON array';
  if (typeof value === 'string') return 'a string';
  return `a ${typeof value} (${JSON.stringify(value)})`;
}

/**
 * `configIssues` (the check Run makes) plus the shape it does not check: every setting present with
 * its kind, numbers finite, list ids known. Where both speak of one field the shape's message is
 * kept, being the more precise.
 */
function fileIssues(config: Record<string, unknown>, labelCount: (source: string) => number | undefined): Issue[] {
  const data = config.data;
  const source = isPlainObject(data) && typeof data.source === 'string' ? data.source : undefined;
  const shape = configShapeIssues(config, { partial: false });
  const byField = new Map(shape.map((i) => [i.field, i]));
  const checked = configIssues(config, source === undefined ? undefined : labelCount(source)).map((i) => byField.get(i.field) ?? i);
  const all = [...checked, ...shape];
  return all.filter((issue, index) => all.findIndex((i) => i.field === issue.field) === index);
}





function isResults(x: unknown): x is { config: unknown } {
  return typeof x === 'object' && x !== null && 'stages' in x && 'config' in x;
}
