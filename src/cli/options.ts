/**
 * `npm run experiment`'s command line → one validated config (or a sweep of them). Flags override the
 * config file, which overrides the preset. (`bench` and `bench:science` declare flags of their own.)
 *
 * Everything a run reads or writes is checked here, before the backend starts or data loads: a typo, a
 * missing folder or an unwritable `--out` fails in a second with one line naming the flag and the fix,
 * not after minutes of training (or, for `--out`, only when results.json is written).
 */
import { editDistance } from '../engine/edit-distance';
import { SPLIT_FILES } from './node-data';
import { mkdir, readdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isPlainObject, ATTACK_KINDS, ConfigError, DEFAULT_TRIGGERS, applyPatch, type AttackKind, type ConfigPatch, type ExperimentConfig } from '../engine/config';
import { configFromPreset } from '../engine/presets';
import { configIssues } from '../engine/config-checks';
import { configShapeIssues } from '../engine/config-shape';
import { parseShard, type Shard } from '../engine/sweep';
import { CliError, fileErrorParts, fileProblem, oneLine, readJsonFile } from './errors';
import { shortJson } from '../engine/short-json';

interface CliOptions {
  config: ExperimentConfig;
  /** `DIR/{train,dev,test}.jsonl`, when given. */
  dataDir?: string;
  outDir?: string;
  backend: 'wasm' | 'cpu';
  sweep?: string;
  /** `--shard i/N`: only this share of the sweep's cells. */
  shard?: Shard;
  /** `--merge DIR...`: the shard folders to join (the positional arguments). */
  merge?: string[];
  noCache: boolean;
  /** `dev`: CA and ASR are measured on the dev split, for choosing settings; the test split is never read. */
  evalSplit: 'test' | 'dev';
  /** `--lanes N`: worker threads that run defenses beside the main one (undefined: one per spare core). */
  lanes?: number;
}

export const USAGE = `usage: npm run experiment -- [--preset NAME] [--config FILE.json] [--data DIR]
       [--attack ${ATTACK_KINDS.join('|')}] [--trigger TEXT] [--seed N] [--out DIR]
       [--backend wasm|cpu] [--no-cache] [--sweep FILE.json [--shard i/N]] [--eval test|dev] [--lanes N]
       npm run experiment -- --merge DIR... --out DIR   (join the shard folders of one sweep)`;

const FLAGS = {
  preset: { type: 'string', default: 'quick' },
  config: { type: 'string' },
  data: { type: 'string' },
  attack: { type: 'string' },
  trigger: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  backend: { type: 'string', default: 'wasm' },
  sweep: { type: 'string' },
  shard: { type: 'string' },
  merge: { type: 'boolean', default: false },
  'no-cache': { type: 'boolean', default: false },
  eval: { type: 'string', default: 'test' },
  lanes: { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

/** What `--data` folders must hold (as `loadDataDir` in node-data.ts looks for them). */
const TRAIN_FILES = SPLIT_FILES.train;
const DATA_FIX = 'give a folder with train.jsonl (and dev.jsonl, test.jsonl)';

export async function parseCli(argv: string[]): Promise<CliOptions> {
  const { values, positionals } = parseFlags(argv);
  if (values.help) throw new UsageHelp();
  if (positionals.length > 0 && !values.merge) {
    throw new ConfigError('arguments', `unexpected argument "${positionals[0]}"; only --merge takes folders without a flag (see --help)`);
  }
  if (values.merge) {
    if (positionals.length === 0) throw new ConfigError('--merge', 'name the shard folders to merge, e.g. --merge out/shard-0 out/shard-1 --out out/sweep');
    if (!values.out) throw new ConfigError('--merge', 'needs --out DIR for the merged sweep');
    if (values.sweep || values.shard) throw new ConfigError('--merge', 'joins finished shard folders; run --sweep/--shard and --merge as separate commands');
  }
  let shard: Shard | undefined;
  if (values.shard !== undefined) {
    if (!values.sweep) throw new ConfigError('--shard', 'splits a sweep: use it with --sweep FILE.json');
    try {
      shard = parseShard(values.shard);
    } catch (e) {
      throw new ConfigError('--shard', (e as Error).message);
    }
  }
  // The cheap checks of single flags first, so that a typo is not hidden behind a file problem.
  checkNoEmptyPaths(values);
  if (values.backend !== 'wasm' && values.backend !== 'cpu') throw new ConfigError('--backend', `must be wasm or cpu, got "${values.backend}"`);
  if (values.eval !== 'test' && values.eval !== 'dev') throw new ConfigError('--eval', `must be test or dev, got "${values.eval}"`);
  // A sweep reports on the test split only; accepting --eval dev would print test figures labelled as tuning ones.
  if (values.eval === 'dev' && values.sweep) throw new ConfigError('--eval', 'dev is for single runs that choose settings; a sweep reports on the test split (run the cells one by one with --eval dev)');
  if (values.attack !== undefined && !ATTACK_KINDS.includes(values.attack as AttackKind))
    throw new ConfigError('--attack', `unknown attack "${values.attack}"; choose one of ${ATTACK_KINDS.join(', ')}`);
  const seed = values.seed === undefined ? undefined : parseSeed(values.seed);
  const lanes = values.lanes === undefined ? undefined : parseLanes(values.lanes);

  let config = presetConfig(values.preset!);
  if (values.config) config = await applyConfigFile(config, values.config);
  if (values.attack !== undefined) {
    const kind = values.attack as AttackKind;
    config = applyPatch(config, { attack: { kind, trigger: DEFAULT_TRIGGERS[kind] } });
  }
  if (values.trigger !== undefined) config = applyPatch(config, { attack: { trigger: values.trigger } });
  if (seed !== undefined) config = applyPatch(config, { seed });
  checkFlagsConfig(config);
  if (values.data) await checkDataDir(values.data);
  return {
    config,
    ...(values.data ? { dataDir: values.data } : {}),
    ...(values.out ? { outDir: values.out } : {}),
    backend: values.backend,
    ...(values.sweep ? { sweep: values.sweep } : {}),
    ...(shard ? { shard } : {}),
    ...(values.merge ? { merge: positionals } : {}),
    noCache: values['no-cache']!,
    evalSplit: values.eval,
    ...(lanes !== undefined ? { lanes } : {}),
  };
}

/** `--lanes N`: 0 runs every defense on the main thread. */
export function parseLanes(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n > 8) throw new ConfigError('--lanes', `must be a whole number from 0 to 8 (worker threads for the defenses besides the main one), got "${text}"`);
  return n;
}

/** parseArgs, with its errors reworded to name the flag and the fix (and a near flag for a typo). */
function parseFlags(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: true });
  } catch (e) {
    throw reworded(e);
  }
}

function reworded(e: unknown): unknown {
  const { code, message } = e as { code?: string; message?: string };
  const text = message ?? '';
  const flag = /'(-[^' ]+)/.exec(text)?.[1];
  if (!flag) return e;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const near = nearestFlag(flag);
    return new CliError(`Unknown option '${flag}'${near ? `; did you mean --${near}?` : ''} (see --help)`);
  }
  if (code !== 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return e;
  if (text.includes('argument missing')) return new ConfigError(flag, `needs a value, e.g. ${flag} ${valueExample(flag)} (see --help)`);
  if (text.includes('ambiguous')) {
    return new ConfigError(flag, `needs a value, but the next argument starts with "-"; give one (e.g. ${flag} ${valueExample(flag)}), or write ${flag}=VALUE for a value that starts with "-"`);
  }
  if (text.includes('does not take an argument')) return new ConfigError(flag, `is a switch and takes no value; drop the "=…"`);
  return e;
}

/** `--out ""` (an unset shell variable) would otherwise quietly mean "no --out" and write elsewhere. */
function checkNoEmptyPaths(values: Record<string, unknown>): void {
  for (const name of ['config', 'data', 'out', 'sweep']) {
    if (values[name] === '') throw new ConfigError(`--${name}`, `is empty; give a path, e.g. --${name} ${valueExample(`--${name}`)}`);
  }
}

function valueExample(flag: string): string {
  const examples: Record<string, string> = { '--seed': '42', '--preset': 'quick', '--backend': 'wasm', '--eval': 'test', '--shard': '0/4', '--attack': 'badnet', '--lanes': '1' };
  return examples[flag] ?? (flag === '--data' || flag === '--out' ? 'DIR' : flag === '--trigger' ? 'TEXT' : 'FILE.json');
}

/** The known flag within two edits of `typed` (`--sed` → `seed`), for "did you mean". */
function nearestFlag(typed: string): string | undefined {
  const name = typed.replace(/^-+/, '');
  let best: { flag: string; d: number } | undefined;
  for (const flag of Object.keys(FLAGS)) {
    const d = editDistance(name, flag);
    if (d <= 2 && d < name.length && (!best || d < best.d)) best = { flag, d };
  }
  return best?.flag;
}

/**
 * Only plain decimal integers: `Number()` alone would read "" as 0, "0x10" as 16 and "1e3" as 1000,
 * so a slip would silently run another seed than the one asked for.
 */
function parseSeed(text: string): number {
  const seed = Number(text);
  if (!/^[+-]?\d+$/.test(text.trim()) || !Number.isSafeInteger(seed)) {
    throw new ConfigError('--seed', `must be an integer such as 42, got "${text}"`);
  }
  return seed;
}

function presetConfig(name: string): ExperimentConfig {
  try {
    return configFromPreset(name);
  } catch (e) {
    // The engine names the config field (`preset`); on the command line it is the flag.
    if (e instanceof ConfigError) throw new ConfigError('--preset', e.message.slice(e.field.length + 2));
    throw e;
  }
}

const CONFIG_FIX = 'give a JSON file of config overrides, e.g. {"seed": 7, "data": {"maxTrain": 300}}';

/** The config file laid over `base`, checked now, so a bad field names the file and fails before any work. */
async function applyConfigFile(base: ExperimentConfig, file: string): Promise<ExperimentConfig> {
  const patch = await readJsonFile('--config', file, CONFIG_FIX);
  if (!isPlainObject(patch)) throw new ConfigError('--config', `${file} must hold a JSON object, got ${shortJson(patch)}; ${CONFIG_FIX}`);
  // A section given as a value (`{"data": "spam"}`) would replace the whole section in the merge, and
  // the checks would then report every field of it missing, none of them the real mistake.
  const shape = configShapeIssues(patch, { partial: true });
  if (shape.length > 0) throw new ConfigError('--config', `${file}: ${describeIssues(shape)}`);
  let config: ExperimentConfig;
  try {
    config = applyPatch(base, patch as ConfigPatch);
  } catch (e) {
    // Not expected once the shapes match, but a raw TypeError must still name the file.
    throw new ConfigError('--config', `${file}: cannot apply it: ${oneLine((e as Error).message)}`);
  }
  const issues = configIssues(config);
  if (issues.length > 0) throw new ConfigError('--config', `${file}: ${describeIssues(issues)}`);
  return config;
}


function describeIssues(issues: readonly { field: string; message: string }[]): string {
  const [first, ...rest] = issues;
  const more = rest.length > 0 ? ` (and ${rest.length} more: ${rest.map((i) => i.field).join(', ')})` : '';
  return `${first!.field}: ${first!.message}${more}`;
}

/** After the flags: the one field a flag can spoil is the trigger (`--trigger ""` for a BadNet attack). */
function checkFlagsConfig(config: ExperimentConfig): void {
  const issues = configIssues(config);
  if (issues.length === 0) return;
  const [first] = issues;
  if (first!.field === 'attack.trigger') throw new ConfigError('--trigger', first!.message);
  throw new ConfigError(first!.field, describeIssues(issues).slice(first!.field.length + 2));
}

/** `--data DIR`: a folder that holds a train file (what `loadDataDir` will read once the backend is up). */
async function checkDataDir(dir: string): Promise<void> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(dir)).isDirectory();
  } catch (e) {
    const what = (e as { code?: string }).code === 'ENOENT' ? 'does not exist' : `cannot be read: ${fileProblem(e)}`;
    throw new ConfigError('--data', `${dir} ${what}; ${DATA_FIX}`);
  }
  if (!isFolder) throw new ConfigError('--data', `${dir} is a file, not a folder; ${DATA_FIX}, or name one data file as data.source in --config`);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    throw new ConfigError('--data', `${dir} cannot be read: ${fileProblem(e)}; ${DATA_FIX}`);
  }
  if (!TRAIN_FILES.some((f) => names.includes(f))) {
    throw new ConfigError('--data', `${dir} has no train file (expected one of ${TRAIN_FILES.join(', ')}); ${DATA_FIX}`);
  }
}

/**
 * `--out DIR` can be written: made if missing (each missing folder by plain mkdir — Node's recursive
 * mkdir loops forever under /proc), a probe file written and removed. What the check made it removes
 * again, so a run that fails later leaves no empty folders behind; the run makes them again to write.
 */
export async function checkWritableFolder(dir: string, flag = '--out'): Promise<void> {
  const made: string[] = [];
  try {
    await makeFolders(resolve(dir), made);
    const probe = join(dir, `.w2s-write-probe-${process.pid}`);
    await writeFile(probe, '');
    await rm(probe);
  } catch (e) {
    const { code, words } = e instanceof ProbeProblem ? e : fileErrorParts(e);
    throw new ConfigError(flag, `${dir} cannot be written (${code ? `${code}: ` : ''}${words}); pick a folder you can write to`);
  } finally {
    for (const folder of made.reverse()) await rmdir(folder).catch(() => undefined);
  }
}

/** mkdir -p, one level at a time, recording each folder it made (outermost first). */
async function makeFolders(dir: string, made: string[]): Promise<void> {
  const found = await stat(dir).catch((e: { code?: string }) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  if (found) {
    if (!found.isDirectory()) throw new ProbeProblem('EEXIST', `${dir} is a file, not a folder`);
    return;
  }
  const parent = dirname(dir);
  if (parent !== dir) await makeFolders(parent, made);
  try {
    await mkdir(dir);
  } catch (e) {
    const code = (e as { code?: string }).code;
    // ENOENT although the parent exists: a file system such as /proc that takes no new folders.
    if (code === 'ENOENT') throw new ProbeProblem('ENOENT', `${parent} takes no new folders`);
    // Another process (a parallel run of the same benchmark) made it between our look and our mkdir.
    if (code === 'EEXIST' && (await stat(dir)).isDirectory()) return;
    throw e;
  }
  made.push(dir);
}

/** Why `--out` cannot be written, where Node's code alone would mislead (EEXIST for a file, ENOENT under /proc). */
class ProbeProblem extends Error {
  constructor(
    readonly code: string,
    readonly words: string,
  ) {
    super(words);
  }
}

export class UsageHelp extends Error {
  constructor() {
    super(USAGE);
  }
}
