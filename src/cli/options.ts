/**
 * The Node runner's command line → one validated config, shared by `experiment`, `bench` and the
 * science benchmark. Flags override the config file, which overrides the preset.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  ATTACK_KINDS,
  ConfigError,
  DEFAULT_TRIGGERS,
  applyPatch,
  configFromPreset,
  type AttackKind,
  type ConfigPatch,
  type ExperimentConfig,
} from '../engine/config';
import { parseShard, type Shard } from '../engine/sweep';

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
}

export const USAGE = `usage: npm run experiment -- [--preset NAME] [--config FILE.json] [--data DIR]
       [--attack ${ATTACK_KINDS.join('|')}] [--trigger TEXT] [--seed N] [--out DIR]
       [--backend wasm|cpu] [--no-cache] [--sweep FILE.json [--shard i/N]] [--eval test|dev]
       npm run experiment -- --merge DIR... --out DIR   (join the shard folders of one sweep)`;

export async function parseCli(argv: string[]): Promise<CliOptions> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
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
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
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
  let config = configFromPreset(values.preset!);
  if (values.config) {
    let patch: ConfigPatch;
    try {
      patch = JSON.parse(await readFile(values.config, 'utf8')) as ConfigPatch;
    } catch (e) {
      throw new ConfigError('--config', `cannot read ${values.config} as JSON: ${(e as Error).message}`);
    }
    config = applyPatch(config, patch);
  }
  if (values.attack !== undefined) {
    if (!ATTACK_KINDS.includes(values.attack as AttackKind))
      throw new ConfigError('--attack', `unknown attack "${values.attack}"; choose one of ${ATTACK_KINDS.join(', ')}`);
    const kind = values.attack as AttackKind;
    config = applyPatch(config, { attack: { kind, trigger: DEFAULT_TRIGGERS[kind] } });
  }
  if (values.trigger !== undefined) config = applyPatch(config, { attack: { trigger: values.trigger } });
  if (values.seed !== undefined) {
    const seed = Number(values.seed);
    if (!Number.isInteger(seed)) throw new ConfigError('--seed', `must be an integer, got "${values.seed}"`);
    config = applyPatch(config, { seed });
  }
  if (values.backend !== 'wasm' && values.backend !== 'cpu') throw new ConfigError('--backend', 'must be wasm or cpu');
  if (values.eval !== 'test' && values.eval !== 'dev') throw new ConfigError('--eval', `must be test or dev, got "${values.eval}"`);
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
  };
}

export class UsageHelp extends Error {
  constructor() {
    super(USAGE);
  }
}
