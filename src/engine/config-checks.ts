/**
 * Checking a config at the edge (form, URL, file, CLI): `configIssues` lists every problem with the
 * field at fault and the fix, `validateConfig` throws the first as a `ConfigError`.
 */
import { ConfigError } from './config-error';
import { ATTACK_KINDS, DEFAULT_CONFIG, DEFAULT_TRIGGERS, type EncoderSize, type ExperimentConfig } from './config';
import { FIELD_RULES, keepsRule, ruleMessage } from './config-fields';
import { ATTACKS } from './attacks/registry';

interface ConfigIssue {
  field: string;
  message: string;
}

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * Every problem with a config, each naming the field and the fix, in the Setup screen's order. Each field is
 * checked by its rule (`config-fields.ts`); a missing group is said once. Then the rules across fields:
 * a trigger the attack needs, a budget as its kind says, a target label the dataset has (`numLabels`,
 * when the dataset is known), heads that divide the width, the shipped checkpoints' vocabulary. Also
 * rejects keys the config type does not have, so a typo in a config file is caught rather than ignored.
 */
export function configIssues(config: unknown, numLabels?: number): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (field: string, message: string) => issues.push({ field, message });
  if (config === null || typeof config !== 'object') return [{ field: 'config', message: 'must be an object' }];
  unknownKeys(config as Record<string, unknown>, DEFAULT_CONFIG as unknown as Record<string, unknown>, '', add);
  const missing = new Set<string>();
  for (const [path, rule] of FIELD_RULES) {
    const { group, value } = lookUp(config as Record<string, unknown>, path);
    if (group !== null) {
      if (!missing.has(group)) add(group, 'is missing');
      missing.add(group);
    } else if (!keepsRule(rule, value)) add(path, ruleMessage(rule));
  }
  acrossFields(config as ExperimentConfig, numLabels, add);
  // In the Setup screen's order of fields (unknown keys first), whichever check found them.
  const order = (field: string) => CONFIG_ORDER.findIndex((p) => p === field || p.startsWith(`${field}.`));
  return issues.map((issue, i) => ({ issue, i })).sort((x, y) => order(x.issue.field) - order(y.issue.field) || x.i - y.i).map(({ issue }) => issue);
}

const CONFIG_ORDER = [...FIELD_RULES.keys()];

/** The value at `path`, or the first group on the way that is missing. */
function lookUp(config: Record<string, unknown>, path: string): { group: string | null; value: unknown } {
  const keys = path.split('.');
  let node: Record<string, unknown> = config;
  for (let i = 0; i < keys.length - 1; i++) {
    const next = node[keys[i]!];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) return { group: keys.slice(0, i + 1).join('.'), value: undefined };
    node = next as Record<string, unknown>;
  }
  return { group: null, value: node[keys.at(-1)!] };
}

function acrossFields(c: ExperimentConfig, numLabels: number | undefined, add: (field: string, message: string) => void): void {
  const d = c.data ?? ({} as Partial<ExperimentConfig['data']>);
  if (typeof d.source !== 'string' || !d.source) add('data.source', 'name a dataset, e.g. "spam" or "sst2"');

  const a = c.attack ?? ({} as Partial<ExperimentConfig['attack']>);
  if (a.kind && ATTACK_KINDS.includes(a.kind) && ATTACKS[a.kind].usesTriggerText && (typeof a.trigger !== 'string' || a.trigger.trim() === ''))
    add('attack.trigger', `must not be empty for a ${a.kind} attack; e.g. "${DEFAULT_TRIGGERS[a.kind] || 'cf'}"`);
  // A budget > 0 (its rule) must also be a rate or a count, as budgetKind says.
  if (isNum(a.budget) && a.budget > 0) {
    if (a.budgetKind === 'rate' && a.budget > 1) add('attack.budget', `a poison rate must be in (0, 1], got ${a.budget}; write 0.1 for 10 %`);
    if (a.budgetKind === 'count' && !isInt(a.budget)) add('attack.budget', `a poison count must be an integer ≥ 1, got ${a.budget}`);
  }
  if (isInt(a.targetLabel) && a.targetLabel >= 0 && numLabels !== undefined && a.targetLabel >= numLabels)
    add('attack.targetLabel', `is ${a.targetLabel} but the dataset has ${numLabels} labels (0..${numLabels - 1})`);

  for (const which of ['student', 'teacher'] as const) {
    const size = c.models?.[which] ?? ({} as Partial<EncoderSize>);
    if (isInt(size.heads) && size.heads >= 1 && isInt(size.dModel) && size.dModel % size.heads !== 0) add(`models.${which}.heads`, `must divide dModel (${size.dModel})`);
  }

  if (c.defense?.faDepth === 'every-block' && c.defense.faMode !== 'token')
    add('defense.faDepth', `every-block aligns token states: it needs defense.faMode "token", not "${c.defense.faMode}"`);

  const def = c.defense;
  if (def && isInt(def.averageLast) && def.averageLast > 1) {
    if (isInt(def.epochs) && def.epochs >= 1 && def.averageLast > def.epochs)
      add('defense.averageLast', `averages ${def.averageLast} epochs but defense.epochs trains ${def.epochs}; set it to ${def.epochs} or less`);
    if (def.selectBestByDev === true) add('defense.averageLast', 'a repair ends either on its best epoch by dev or on a mean of its last epochs: turn off defense.selectBestByDev, or set this to 0');
  }

  if (c.pretrain?.checkpoint === 'shipped' && d.tokenizer !== 'wordpiece')
    add('pretrain.checkpoint', 'the shipped checkpoints read the shipped vocabulary: set data.tokenizer to "wordpiece" (or pretrain.checkpoint to "none")');
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
