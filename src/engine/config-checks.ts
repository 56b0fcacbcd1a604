/**
 * Checking a config at the edge (form, URL, file, CLI): `configIssues` lists every problem with the
 * field at fault and the fix, `validateConfig` throws the first as a `ConfigError`.
 */
import { ConfigError } from './config-error';
import {
  ATTACK_KINDS,
  DEFAULT_CONFIG,
  DEFAULT_TRIGGERS,
  DEFENSE_METHODS,
  EMBEDDING_UPDATES,
  FA_MODES,
  LABEL_MODES,
  LORA_TARGETS,
  TOKENIZER_KINDS,
  type EncoderSize,
  type ExperimentConfig,
  type LoraConfig,
  type OptimConfig,
} from './config';
import { ATTACKS } from './attacks/registry';

interface ConfigIssue {
  field: string;
  message: string;
}

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * Every problem with a config, each naming the field and the fix. `numLabels` (when the dataset is known)
 * checks the target label's range. Also rejects keys the config type does not have, so a typo in a
 * config file is caught rather than silently ignored.
 */
export function configIssues(config: unknown, numLabels?: number): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (field: string, message: string) => issues.push({ field, message });
  if (config === null || typeof config !== 'object') return [{ field: 'config', message: 'must be an object' }];
  unknownKeys(config as Record<string, unknown>, DEFAULT_CONFIG as unknown as Record<string, unknown>, '', add);
  const c = config as ExperimentConfig;
  if (!isInt(c.seed)) add('seed', 'must be an integer, e.g. 42');
  const d = c.data ?? ({} as ExperimentConfig['data']);
  if (typeof d.source !== 'string' || !d.source) add('data.source', 'name a dataset, e.g. "spam" or "sst2"');
  if (!isInt(d.maxTrain) || d.maxTrain < 0) add('data.maxTrain', 'must be an integer ≥ 0 (0 = all)');
  if (!isInt(d.maxTest) || d.maxTest < 0) add('data.maxTest', 'must be an integer ≥ 0 (0 = all)');
  if (!isInt(d.maxLength) || d.maxLength < 4 || d.maxLength > 512) add('data.maxLength', 'must be an integer in 4..512');
  if (!TOKENIZER_KINDS.includes(d.tokenizer)) add('data.tokenizer', `must be one of ${TOKENIZER_KINDS.join(', ')}`);
  if (!isInt(d.vocabSize) || d.vocabSize < 16) add('data.vocabSize', 'must be an integer ≥ 16');
  if (!isNum(d.defenseFraction) || d.defenseFraction <= 0 || d.defenseFraction > 1)
    add('data.defenseFraction', 'must be a fraction in (0, 1], e.g. 0.5');

  const a = c.attack ?? ({} as ExperimentConfig['attack']);
  if (!ATTACK_KINDS.includes(a.kind)) add('attack.kind', `must be one of ${ATTACK_KINDS.join(', ')}`);
  if (ATTACK_KINDS.includes(a.kind) && ATTACKS[a.kind].usesTriggerText && (typeof a.trigger !== 'string' || a.trigger.trim() === ''))
    add('attack.trigger', `must not be empty for a ${a.kind} attack; e.g. "${DEFAULT_TRIGGERS[a.kind] || 'cf'}"`);
  if (!['random', 'start', 'end'].includes(a.position)) add('attack.position', 'must be random, start or end');
  if (!LABEL_MODES.includes(a.labelMode)) add('attack.labelMode', 'must be clean or dirty');
  if (a.budgetKind === 'rate') {
    if (!isNum(a.budget) || a.budget <= 0 || a.budget > 1)
      add('attack.budget', `a poison rate must be in (0, 1], got ${a.budget}; write 0.1 for 10 %`);
  } else if (a.budgetKind === 'count') {
    if (!isInt(a.budget) || a.budget < 1) add('attack.budget', `a poison count must be an integer ≥ 1, got ${a.budget}`);
  } else add('attack.budgetKind', 'must be count or rate');
  if (!isInt(a.targetLabel) || a.targetLabel < 0) add('attack.targetLabel', 'must be an integer ≥ 0');
  else if (numLabels !== undefined && a.targetLabel >= numLabels)
    add('attack.targetLabel', `is ${a.targetLabel} but the dataset has ${numLabels} labels (0..${numLabels - 1})`);

  const m = c.models ?? ({} as ExperimentConfig['models']);
  for (const which of ['student', 'teacher'] as const) {
    const s = m[which] ?? ({} as EncoderSize);
    const f = `models.${which}`;
    if (!isInt(s.layers) || s.layers < 1) add(`${f}.layers`, 'must be an integer ≥ 1');
    if (!isInt(s.dModel) || s.dModel < 4) add(`${f}.dModel`, 'must be an integer ≥ 4');
    if (!isInt(s.heads) || s.heads < 1 || (isInt(s.dModel) && s.dModel % s.heads !== 0))
      add(`${f}.heads`, `must divide dModel (${s.dModel})`);
    if (!isInt(s.dFF) || s.dFF < 1) add(`${f}.dFF`, 'must be an integer ≥ 1');
  }
  if (!isNum(m.dropout) || m.dropout < 0 || m.dropout >= 1) add('models.dropout', 'must be in [0, 1)');

  const p = c.pretrain ?? ({} as ExperimentConfig['pretrain']);
  if (p.checkpoint !== 'none' && p.checkpoint !== 'shipped') add('pretrain.checkpoint', 'must be none or shipped');
  else if (p.checkpoint === 'shipped' && d.tokenizer !== 'wordpiece')
    add('pretrain.checkpoint', 'the shipped checkpoints read the shipped vocabulary: set data.tokenizer to "wordpiece" (or pretrain.checkpoint to "none")');
  if (!isInt(p.studentSteps) || p.studentSteps < 0) add('pretrain.studentSteps', 'must be an integer ≥ 0');
  if (!isInt(p.teacherSteps) || p.teacherSteps < 0) add('pretrain.teacherSteps', 'must be an integer ≥ 0');
  if (!isNum(p.lr) || p.lr <= 0) add('pretrain.lr', 'must be > 0, e.g. 1e-3');
  if (!isInt(p.batchSize) || p.batchSize < 1) add('pretrain.batchSize', 'must be an integer ≥ 1');
  if (!isNum(p.maskRate) || p.maskRate <= 0 || p.maskRate >= 1) add('pretrain.maskRate', 'must be in (0, 1), e.g. 0.15');
  if (!['none', 'moby-dick', 'sotu'].includes(p.extraCorpus)) add('pretrain.extraCorpus', 'must be none, moby-dick or sotu');

  checkOptim(c.taskModel, 'taskModel', add);
  if (c.taskModel && typeof c.taskModel.enabled !== 'boolean') add('taskModel.enabled', 'must be true or false');
  checkOptim(c.poison, 'poison', add);
  if (c.poison && !['lora', 'full'].includes(c.poison.method)) add('poison.method', 'must be lora or full');
  if (c.poison) checkLora(c.poison.lora, 'poison.lora', add);
  if (c.poison && typeof c.poison.pinTriggerRows !== 'boolean') add('poison.pinTriggerRows', 'must be true or false');
  if (c.poison && (!isNum(c.poison.untilAsr) || c.poison.untilAsr < 0 || c.poison.untilAsr >= 1))
    add('poison.untilAsr', 'must be a share in [0, 1), e.g. 0.95 (0 = train exactly poison.epochs)');
  if (c.poison && (!isInt(c.poison.minEpochs) || c.poison.minEpochs < 0)) add('poison.minEpochs', 'must be an integer ≥ 0, e.g. 6 (poison.epochs stays the cap)');
  checkOptim(c.teacher, 'teacher', add);
  const df = c.defense;
  checkOptim(df, 'defense', add);
  if (df) {
    checkLora(df.lora, 'defense.lora', add);
    if (!Array.isArray(df.methods) || df.methods.length === 0 || df.methods.some((x) => !DEFENSE_METHODS.includes(x)))
      add('defense.methods', `must list one or more of ${DEFENSE_METHODS.join(', ')}`);
    for (const w of ['ce', 'kd', 'fa'] as const) if (!isNum(df[w]) || df[w] < 0) add(`defense.${w}`, 'must be a weight ≥ 0');
    if (!isNum(df.temperature) || df.temperature <= 0) add('defense.temperature', 'must be > 0, e.g. 2');
    if (typeof df.selectBestByDev !== 'boolean') add('defense.selectBestByDev', 'must be true or false');
    if (typeof df.trainFinalNorm !== 'boolean') add('defense.trainFinalNorm', 'must be true or false');
    if (!FA_MODES.includes(df.faMode)) add('defense.faMode', `must be one of ${FA_MODES.join(', ')}`);
    const { onion, strip, finePruning, nad } = df;
    if (!onion) add('defense.onion', 'is missing');
    else {
      if (!isNum(onion.threshold)) add('defense.onion.threshold', 'must be a number, e.g. 0 (ONION’s default)');
      if (!isInt(onion.maxTexts) || onion.maxTexts < 0) add('defense.onion.maxTexts', 'must be an integer ≥ 0 (0 = screen every test sentence)');
    }
    if (!strip) add('defense.strip', 'is missing');
    else {
      if (!isInt(strip.repeats) || strip.repeats < 2) add('defense.strip.repeats', 'must be an integer ≥ 2, e.g. 10');
      if (!isNum(strip.swapRatio) || strip.swapRatio <= 0 || strip.swapRatio > 1) add('defense.strip.swapRatio', 'must be a share in (0, 1], e.g. 0.5');
      if (!isNum(strip.frr) || strip.frr <= 0 || strip.frr >= 1) add('defense.strip.frr', 'must be a rate in (0, 1), e.g. 0.05 for 5 %');
    }
    if (!finePruning) add('defense.finePruning', 'is missing');
    else {
      if (!isNum(finePruning.maxRatio) || finePruning.maxRatio <= 0 || finePruning.maxRatio >= 1) add('defense.finePruning.maxRatio', 'must be a share in (0, 1), e.g. 0.9');
      if (!isNum(finePruning.maxDevDrop) || finePruning.maxDevDrop < 0 || finePruning.maxDevDrop >= 1) add('defense.finePruning.maxDevDrop', 'must be in [0, 1), e.g. 0.05 for 5 points');
    }
    if (!nad) add('defense.nad', 'is missing');
    else if (!isNum(nad.beta) || nad.beta < 0) add('defense.nad.beta', 'must be a weight ≥ 0');
  }
  return issues;
}

function checkOptim(o: OptimConfig | undefined, f: string, add: (field: string, message: string) => void) {
  if (!o) return add(f, 'is missing');
  if (!isInt(o.epochs) || o.epochs < 1) add(`${f}.epochs`, 'must be an integer ≥ 1');
  if (!isNum(o.lr) || o.lr <= 0) add(`${f}.lr`, 'must be > 0, e.g. 2e-3');
  if (!isInt(o.batchSize) || o.batchSize < 1) add(`${f}.batchSize`, 'must be an integer ≥ 1');
  if (!isNum(o.warmupRatio) || o.warmupRatio < 0 || o.warmupRatio >= 1) add(`${f}.warmupRatio`, 'must be in [0, 1)');
  if (!isNum(o.weightDecay) || o.weightDecay < 0) add(`${f}.weightDecay`, 'must be ≥ 0');
  if (!isNum(o.clipNorm) || o.clipNorm < 0) add(`${f}.clipNorm`, 'must be ≥ 0 (0 = no clipping)');
  if (!EMBEDDING_UPDATES.includes(o.embeddingUpdate)) add(`${f}.embeddingUpdate`, `must be one of ${EMBEDDING_UPDATES.join(', ')}`);
}

function checkLora(l: LoraConfig | undefined, f: string, add: (field: string, message: string) => void) {
  if (!l) return add(f, 'is missing');
  if (!isInt(l.rank) || l.rank < 1) add(`${f}.rank`, `LoRA rank must be an integer ≥ 1, got ${l.rank}; try 8`);
  if (!isNum(l.alpha) || l.alpha <= 0) add(`${f}.alpha`, 'must be > 0, e.g. 2 × rank');
  if (!isNum(l.dropout) || l.dropout < 0 || l.dropout >= 1) add(`${f}.dropout`, 'must be in [0, 1)');
  if (!Array.isArray(l.targets) || l.targets.length === 0 || l.targets.some((t) => !LORA_TARGETS.includes(t)))
    add(`${f}.targets`, `must list one or more of ${LORA_TARGETS.join(', ')}`);
}

function unknownKeys(
  value: Record<string, unknown>,
  shape: Record<string, unknown>,
  prefix: string,
  add: (field: string, message: string) => void,
) {
  for (const key of Object.keys(value)) {
    const field = prefix ? `${prefix}.${key}` : key;
    if (!(key in shape)) {
      add(field, `unknown key; known keys here: ${Object.keys(shape).join(', ')}`);
      continue;
    }
    const v = value[key];
    const s = shape[key];
    if (v && s && typeof v === 'object' && typeof s === 'object' && !Array.isArray(v) && !Array.isArray(s))
      unknownKeys(v as Record<string, unknown>, s as Record<string, unknown>, field, add);
  }
}

/** Throws a `ConfigError` for the first problem (all problems listed in the message). */
export function validateConfig(config: unknown, numLabels?: number): ExperimentConfig {
  const issues = configIssues(config, numLabels);
  if (issues.length > 0) {
    const [first] = issues;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more: ${issues.slice(1).map((i) => i.field).join(', ')})` : '';
    throw new ConfigError(first!.field, first!.message + more);
  }
  return config as ExperimentConfig;
}
