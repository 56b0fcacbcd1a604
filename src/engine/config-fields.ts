/**
 * What each config field may hold — its range or its choices — written once. The checks
 * (`config-checks.ts`) turn a rule into the message that names the fix; the Setup form
 * (`ui/field-table.ts`) takes its controls' bounds and options from it; the URL reads list choices
 * from it (`store/config-paths.ts`). Defaults live in `DEFAULT_CONFIG` (config.ts), each with its reason.
 */
import { ATTACK_KINDS, DEFENSE_METHODS, EMBEDDING_UPDATES, FA_MODES, LABEL_MODES, LORA_TARGETS, TOKENIZER_KINDS } from './config';

export type FieldRule =
  /** An integer ≥ min (and ≤ max). `hint` ends the message: an example, or what 0 means. */
  | { kind: 'int'; min?: number; max?: number; hint?: string }
  /** A finite number within the bounds (open where said); `noun` names what it is ("a share in …"). */
  | { kind: 'real'; min?: number; max?: number; minOpen?: boolean; maxOpen?: boolean; noun?: string; hint?: string }
  | { kind: 'choice'; choices: readonly string[] }
  | { kind: 'list'; choices: readonly string[] }
  | { kind: 'bool' }
  /** Checked by a rule of its own in `configIssues`, for it depends on other fields (or names a dataset). */
  | { kind: 'text' };

const int = (min?: number, max?: number, hint?: string): FieldRule => ({ kind: 'int', ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}), ...(hint ? { hint } : {}) });
const real = (r: Omit<Extract<FieldRule, { kind: 'real' }>, 'kind'>): FieldRule => ({ kind: 'real', ...r });
const choice = (choices: readonly string[]): FieldRule => ({ kind: 'choice', choices });
const BOOL: FieldRule = { kind: 'bool' };
const TEXT: FieldRule = { kind: 'text' };
const SHARE_OF_ONE = { min: 0, max: 1, maxOpen: true } as const; // [0, 1)

/** The optimiser settings every training stage shares. */
function optimRules(prefix: string): [string, FieldRule][] {
  return [
    [`${prefix}.epochs`, int(1)],
    [`${prefix}.lr`, real({ min: 0, minOpen: true, hint: ', e.g. 2e-3' })],
    [`${prefix}.batchSize`, int(1)],
    [`${prefix}.warmupRatio`, real(SHARE_OF_ONE)],
    [`${prefix}.weightDecay`, real({ min: 0 })],
    [`${prefix}.clipNorm`, real({ min: 0, hint: ' (0 = no clipping)' })],
    [`${prefix}.embeddingUpdate`, choice(EMBEDDING_UPDATES)],
  ];
}

function loraRules(prefix: string): [string, FieldRule][] {
  return [
    [`${prefix}.rank`, int(1, undefined, '; try 8')],
    [`${prefix}.alpha`, real({ min: 0, minOpen: true, hint: ', e.g. 2 × rank' })],
    [`${prefix}.dropout`, real(SHARE_OF_ONE)],
    [`${prefix}.targets`, { kind: 'list', choices: LORA_TARGETS }],
  ];
}

function encoderRules(which: 'student' | 'teacher'): [string, FieldRule][] {
  const p = `models.${which}`;
  // heads must also divide dModel: a check across fields (config-checks.ts).
  return [[`${p}.layers`, int(1)], [`${p}.dModel`, int(4)], [`${p}.heads`, int(1)], [`${p}.dFF`, int(1)]];
}

const weight = real({ min: 0, noun: 'weight' });

/** Every leaf of the config, in `DEFAULT_CONFIG`'s order, with its rule. */
export const FIELD_RULES: ReadonlyMap<string, FieldRule> = new Map<string, FieldRule>([
  ['seed', int(undefined, undefined, ', e.g. 42')],
  ['data.source', TEXT],
  ['data.maxTrain', int(0, undefined, ' (0 = all)')],
  ['data.maxTest', int(0, undefined, ' (0 = all)')],
  ['data.maxLength', int(4, 512)],
  ['data.tokenizer', choice(TOKENIZER_KINDS)],
  ['data.vocabSize', int(16)],
  ['data.defenseFraction', real({ min: 0, minOpen: true, max: 1, noun: 'fraction', hint: ', e.g. 0.5' })],
  ['attack.kind', choice(ATTACK_KINDS)],
  ['attack.trigger', TEXT],
  ['attack.position', choice(['random', 'start', 'end'])],
  ['attack.labelMode', choice(LABEL_MODES)],
  ['attack.budgetKind', choice(['count', 'rate'])],
  // A count or a rate, as budgetKind says: which one is a check across fields (config-checks.ts).
  ['attack.budget', real({ min: 0, minOpen: true })],
  ['attack.targetLabel', int(0)],
  ...encoderRules('student'),
  ...encoderRules('teacher'),
  ['models.dropout', real(SHARE_OF_ONE)],
  ['pretrain.checkpoint', choice(['none', 'shipped'])],
  ['pretrain.studentSteps', int(0)],
  ['pretrain.teacherSteps', int(0)],
  ['pretrain.lr', real({ min: 0, minOpen: true, hint: ', e.g. 1e-3' })],
  ['pretrain.batchSize', int(1)],
  ['pretrain.maskRate', real({ min: 0, minOpen: true, max: 1, maxOpen: true, hint: ', e.g. 0.15' })],
  ['pretrain.extraCorpus', choice(['none', 'moby-dick', 'sotu'])],
  ...optimRules('taskModel'),
  ['taskModel.enabled', BOOL],
  ...optimRules('poison'),
  ['poison.method', choice(['lora', 'full'])],
  ...loraRules('poison.lora'),
  ['poison.pinTriggerRows', BOOL],
  ['poison.untilAsr', real({ ...SHARE_OF_ONE, noun: 'share', hint: ', e.g. 0.95 (0 = train exactly poison.epochs)' })],
  ['poison.minEpochs', int(0, undefined, ', e.g. 6 (poison.epochs stays the cap)')],
  ...optimRules('teacher'),
  ...optimRules('defense'),
  ['defense.methods', { kind: 'list', choices: DEFENSE_METHODS }],
  ...loraRules('defense.lora'),
  ['defense.ce', weight],
  ['defense.kd', weight],
  ['defense.fa', weight],
  ['defense.temperature', real({ min: 0, minOpen: true, hint: ', e.g. 2' })],
  ['defense.faMode', choice(FA_MODES)],
  ['defense.selectBestByDev', BOOL],
  ['defense.trainFinalNorm', BOOL],
  ['defense.onion.threshold', real({ hint: ', e.g. 0 (ONION’s default)' })],
  ['defense.onion.maxTexts', int(0, undefined, ' (0 = screen every test sentence)')],
  ['defense.strip.repeats', int(2, undefined, ', e.g. 10')],
  ['defense.strip.swapRatio', real({ min: 0, minOpen: true, max: 1, noun: 'share', hint: ', e.g. 0.5' })],
  ['defense.strip.frr', real({ min: 0, minOpen: true, max: 1, maxOpen: true, noun: 'rate', hint: ', e.g. 0.05 for 5 %' })],
  ['defense.finePruning.maxRatio', real({ min: 0, minOpen: true, max: 1, maxOpen: true, noun: 'share', hint: ', e.g. 0.9' })],
  ['defense.finePruning.maxDevDrop', real({ ...SHARE_OF_ONE, hint: ', e.g. 0.05 for 5 points' })],
  ['defense.nad.beta', weight],
]);

/** "a, b or c" for a few choices; "one of a, b, c, d" for more. */
function choiceList(choices: readonly string[]): string {
  return choices.length <= 3 ? `${choices.slice(0, -1).join(', ')}${choices.length > 1 ? ' or ' : ''}${choices.at(-1) ?? ''}` : `one of ${choices.join(', ')}`;
}

/** What a value under `rule` must be, as the end of "<field> must be …". */
export function ruleMessage(rule: FieldRule): string {
  switch (rule.kind) {
    case 'int': {
      const range = rule.min === undefined ? '' : rule.max !== undefined ? ` in ${rule.min}..${rule.max}` : ` ≥ ${rule.min}`;
      return `must be an integer${range}${rule.hint ?? ''}`;
    }
    case 'real': {
      const { min, max } = rule;
      const range =
        min !== undefined && max !== undefined
          ? `in ${rule.minOpen ? '(' : '['}${min}, ${max}${rule.maxOpen ? ')' : ']'}`
          : min !== undefined
            ? `${rule.minOpen ? '>' : '≥'} ${min}`
            : max !== undefined
              ? `${rule.maxOpen ? '<' : '≤'} ${max}`
              : 'a number';
      return `must be ${rule.noun ? `a ${rule.noun} ` : ''}${range}${rule.hint ?? ''}`;
    }
    case 'choice':
      return `must be ${choiceList(rule.choices)}`;
    case 'list':
      return `must list one or more of ${rule.choices.join(', ')}`;
    case 'bool':
      return 'must be true or false';
    case 'text':
      return 'must be text';
  }
}

/** Whether `value` keeps `rule` ('text' fields are checked where their rule lives). */
export function keepsRule(rule: FieldRule, value: unknown): boolean {
  switch (rule.kind) {
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) && (rule.min === undefined || value >= rule.min) && (rule.max === undefined || value <= rule.max);
    case 'real': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return false;
      const aboveMin = rule.min === undefined || (rule.minOpen ? value > rule.min : value >= rule.min);
      const belowMax = rule.max === undefined || (rule.maxOpen ? value < rule.max : value <= rule.max);
      return aboveMin && belowMax;
    }
    case 'choice':
      return typeof value === 'string' && rule.choices.includes(value);
    case 'list':
      return Array.isArray(value) && value.length > 0 && value.every((x) => typeof x === 'string' && rule.choices.includes(x));
    case 'bool':
      return typeof value === 'boolean';
    case 'text':
      return true;
  }
}
