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

export interface CliOptions {
  config: ExperimentConfig;
  /** `DIR/{train,dev,test}.jsonl`, when given. */
  dataDir?: string;
  outDir?: string;
  backend: 'wasm' | 'cpu';
  sweep?: string;
  noCache: boolean;
  /** `dev`: CA and ASR are measured on the dev split, for choosing settings; the test split is never read. */
  evalSplit: 'test' | 'dev';
}

export const USAGE = `usage: npm run experiment -- [--preset NAME] [--config FILE.json] [--data DIR]
       [--attack badnet|insent|syntactic|custom] [--trigger TEXT] [--seed N] [--out DIR]
       [--backend wasm|cpu] [--no-cache] [--sweep FILE.json] [--eval test|dev]`;

export async function parseCli(argv: string[]): Promise<CliOptions> {
  const { values } = parseArgs({
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
      'no-cache': { type: 'boolean', default: false },
      eval: { type: 'string', default: 'test' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new UsageHelp();
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
    noCache: values['no-cache']!,
    evalSplit: values.eval,
  };
}

export class UsageHelp extends Error {
  constructor() {
    super(USAGE);
  }
}
