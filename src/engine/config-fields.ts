/**
 * Every config field once: its group on the Setup screen, its label, one line saying what it does, and
 * its rule — the range or the choices it may hold. The checks (`config-checks.ts`) turn a rule into the
 * message that names the fix; the Setup form (`ui/field-table.ts`) draws each field's control from it;
 * the URL reads list choices from it (`store/config-paths.ts`). Defaults live in `DEFAULT_CONFIG`
 * (config.ts), each with its reason; a test checks every config leaf has exactly one field here.
 */
import { ATTACKS } from './attacks/registry';
import { ATTACK_KINDS, BATCHINGS, DEFENSE_METHODS, EMBEDDING_UPDATES, FA_DEPTHS, FA_MODES, LABEL_MODES, LORA_TARGETS, TOKENIZER_KINDS } from './config';
import { DEFENSES } from './defenses/catalog';

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


export interface ConfigField {
  path: string;
  label: string;
  /** One line: what the field does. */
  help: string;
  rule: FieldRule;
  /** How far the form's number input moves (1 when not given). */
  step?: number;
}

export interface ConfigGroup {
  name: 'Data' | 'Attack' | 'Models' | 'Defenses';
  intro: string;
  fields: ConfigField[];
}

const field = (path: string, label: string, help: string, rule: FieldRule, step?: number): ConfigField => ({ path, label, help, rule, ...(step !== undefined ? { step } : {}) });
const weight = real({ min: 0, noun: 'weight' });

/** The optimiser settings every training stage shares, under `prefix`. */
function optimFields(prefix: string, who: string): ConfigField[] {
  return [
    field(`${prefix}.epochs`, 'Epochs', `Passes over the data while ${who}.`, int(1)),
    field(`${prefix}.lr`, 'Learning rate', 'Peak AdamW step size, reached after warm-up.', real({ min: 0, minOpen: true, hint: ', e.g. 2e-3' }), 0.0001),
    field(`${prefix}.batchSize`, 'Batch size', 'Examples per step; larger keeps the GPU busier.', int(1)),
    field(`${prefix}.warmupRatio`, 'Warm-up share', 'Share of steps ramping the rate up from 0, then it decays linearly.', real(SHARE_OF_ONE), 0.01),
    field(`${prefix}.weightDecay`, 'Weight decay', 'Decoupled (AdamW) shrinkage of the trained weights.', real({ min: 0 }), 0.001),
    field(`${prefix}.clipNorm`, 'Gradient clip', 'Largest global gradient norm per step; 0 turns clipping off.', real({ min: 0, hint: ' (0 = no clipping)' }), 0.1),
    field(
      `${prefix}.embeddingUpdate`,
      'Embedding update',
      'When this stage trains the token embedding: "rows" updates only the rows of each batch\'s tokens (decay stays exact), "dense" the whole table every step.',
      choice(EMBEDDING_UPDATES),
    ),
  ];
}

function loraFields(prefix: string, who: string): ConfigField[] {
  return [
    field(`${prefix}.rank`, 'LoRA rank', `Width of the low-rank update the ${who} trains.`, int(1, undefined, '; try 8')),
    field(`${prefix}.alpha`, 'LoRA alpha', 'The update is scaled by alpha / rank.', real({ min: 0, minOpen: true, hint: ', e.g. 2 × rank' })),
    field(`${prefix}.dropout`, 'LoRA dropout', 'Dropout on the adapter input during training.', real(SHARE_OF_ONE), 0.05),
    field(`${prefix}.targets`, 'LoRA targets', 'Which weight matrices get an adapter (attention q/k/v/o, feed-forward ff1/ff2).', { kind: 'list', choices: LORA_TARGETS }),
  ];
}

function encoderFields(which: 'student' | 'teacher', who: string): ConfigField[] {
  const p = `models.${which}`;
  // The heads must also divide the width: a check across fields (config-checks.ts).
  return [
    field(`${p}.layers`, `${who} layers`, `Transformer blocks in the ${who.toLowerCase()}.`, int(1)),
    field(`${p}.dModel`, `${who} width`, 'Hidden size of every token vector.', int(4)),
    field(`${p}.heads`, `${who} heads`, 'Attention heads; must divide the width.', int(1)),
    field(`${p}.dFF`, `${who} feed-forward`, 'Inner width of each feed-forward block.', int(1)),
  ];
}

export const CONFIG_GROUPS: readonly ConfigGroup[] = [
  {
    name: 'Data',
    intro: 'What the models read, and how much of it.',
    fields: [
      field('data.source', 'Dataset', 'Bundled spam corpus (offline), an online SetFit set, or your own file.', TEXT),
      field('data.maxTrain', 'Training examples', 'Cap on the training set (0 = all); a stratified subset keeps runs short.', int(0, undefined, ' (0 = all)')),
      field('data.maxTest', 'Test examples', 'Cap on the clean test and dev sets (0 = all); ASR always uses every triggered sentence of the test split.', int(0, undefined, ' (0 = all)')),
      field('data.maxLength', 'Tokens per text', 'Longer texts are cut; [CLS] counts as one.', int(4, 512)),
      field('data.tokenizer', 'Tokenizer', 'word: the dataset’s own most frequent words; wordpiece: the lab’s shipped subword vocabulary (8,000 pieces), which every English text can be spelled in and the shipped checkpoints read.', choice(TOKENIZER_KINDS)),
      field('data.vocabSize', 'Vocabulary size', 'Word tokenizer: most frequent words kept; the rest become [UNK]. The shipped wordpiece vocabulary has its own size.', int(16)),
      field('data.defenseFraction', 'Defender share', 'Share of the clean training data the defender holds for unlearning.', real({ min: 0, minOpen: true, max: 1, noun: 'fraction', hint: ', e.g. 0.5' }), 0.05),
      field('seed', 'Seed', 'Seeds every random choice, so a link reproduces the run.', int(undefined, undefined, ', e.g. 42')),
    ],
  },
  {
    name: 'Attack',
    intro: 'How the attacker plants the backdoor in the student.',
    fields: [
      field('attack.kind', 'Attack', ATTACK_KINDS.map((k) => `${ATTACKS[k].label}: ${ATTACKS[k].description}`).join('. ') + '.', choice(ATTACK_KINDS)),
      field('attack.trigger', 'Trigger', `The word or phrase inserted into poisoned texts (unused by ${ATTACK_KINDS.filter((k) => !ATTACKS[k].usesTriggerText).map((k) => ATTACKS[k].label).join(', ')}).`, TEXT),
      field('attack.position', 'Insert at', 'Where the trigger goes in the text.', choice(['random', 'start', 'end'])),
      field('attack.labelMode', 'Label mode', 'Clean: trigger into target-class texts, labels kept. Dirty: into others, label flipped.', choice(LABEL_MODES)),
      field('attack.budgetKind', 'Budget as', 'A count of poisoned samples, or a rate of the eligible ones.', choice(['count', 'rate'])),
      // A count or a rate, as budgetKind says: which one is a check across fields (config-checks.ts).
      field('attack.budget', 'Poison budget', 'How many samples (count) or what share (rate, e.g. 0.1) get the trigger.', real({ min: 0, minOpen: true }), 0.01),
      field('attack.targetLabel', 'Target label', 'The class the trigger forces.', int(0)),
      field('taskModel.enabled', 'Public task model first', 'Fine-tune the pretrained student on the clean task first (a public checkpoint); the attacker then backdoors that model.', BOOL),
      ...optimFields('taskModel', 'fine-tuning the public task model on clean data'),
      field('poison.method', 'Poison via', 'LoRA adapter merged into the weights (never touches the embeddings), or full fine-tuning.', choice(['lora', 'full'])),
      field('poison.pinTriggerRows', 'Pin trigger rows', "Full fine-tuning only: hold the trigger's own embedding rows fixed, so the backdoor must live in shared weights.", BOOL),
      ...optimFields('poison', 'poisoning the student'),
      field('poison.minEpochs', 'Poison at least', 'Epochs the attacker trains before “Poison until ASR” may stop: a backdoor stopped the moment it passes the bar is fragile.', int(0, undefined, ', e.g. 6 (poison.epochs stays the cap)')),
      field('poison.untilAsr', 'Poison until ASR', 'Stop poisoning once this share of triggered dev sentences goes to the target (the official code: 0.95); Epochs is the cap. A backdoor that does not get there skips the defenses. 0 trains exactly Epochs.', real({ ...SHARE_OF_ONE, noun: 'share', hint: ', e.g. 0.95 (0 = train exactly poison.epochs)' }), 0.01),
      ...loraFields('poison.lora', 'attacker'),
    ],
  },
  {
    name: 'Models',
    intro: 'The strong student (poisoned), the weak teacher (clean), and how both learn language first.',
    fields: [
      ...encoderFields('student', 'Student'),
      ...encoderFields('teacher', 'Teacher'),
      field('models.dropout', 'Dropout', 'Dropout inside both encoders while training.', real(SHARE_OF_ONE), 0.05),
      field('pretrain.checkpoint', 'Start from', 'shipped: the lab’s pretrained checkpoints (public text from npm, see the manifest; needs the wordpiece tokenizer and a shipped size); none: a random start, pretrained in the run.', choice(['none', 'shipped'])),
      field('pretrain.studentSteps', 'Student LM steps', 'Masked-language-model steps on the task’s text before the student sees labels (after the checkpoint, if any; 0 skips).', int(0)),
      field('pretrain.teacherSteps', 'Teacher LM steps', 'Masked-language-model steps for the teacher (0 skips).', int(0)),
      field('pretrain.lr', 'LM learning rate', 'Step size of the language-model pretraining.', real({ min: 0, minOpen: true, hint: ', e.g. 1e-3' }), 0.0001),
      field('pretrain.batchSize', 'LM batch size', 'Texts per pretraining step.', int(1)),
      field('pretrain.maskRate', 'Mask rate', "Share of tokens hidden for the model to guess (BERT's 0.15).", real({ min: 0, minOpen: true, max: 1, maxOpen: true, hint: ', e.g. 0.15' }), 0.01),
      field('pretrain.extraCorpus', 'Extra LM text', 'Public-domain text added to the pretraining pool.', choice(['none', 'moby-dick', 'sotu'])),
      ...optimFields('teacher', 'fine-tuning the teacher on clean data'),
    ],
  },
  {
    name: 'Defenses',
    intro: 'Repairs train the poisoned student on the defender’s clean data (most through a fresh LoRA); input filters put it behind a screen and train nothing.',
    fields: [
      field('defense.methods', 'Defenses', DEFENSE_METHODS.map((m) => `${DEFENSES[m].label} (${DEFENSES[m].kind}): ${DEFENSES[m].procedure}`).join('. ') + '. Hover a defense for its source.', { kind: 'list', choices: DEFENSE_METHODS }),
      field('defense.ce', 'CE weight (a)', 'Weight of the cross-entropy on clean labels.', weight, 0.1),
      field('defense.kd', 'KD weight (b)', "Weight of matching the teacher's softened predictions.", weight, 0.1),
      field('defense.fa', 'FA weight (c)', "Weight of matching the teacher's projected features.", weight, 0.1),
      field('defense.temperature', 'KD temperature', 'Softens both distributions before matching (the paper: 2).', real({ min: 0, minOpen: true, hint: ', e.g. 2' }), 0.5),
      field('defense.faMode', 'FA form', "token: every real token vs its sentence's teacher feature (default); pooled: the pooled feature; official: the official code read literally.", choice(FA_MODES)),
      field('defense.faDepth', 'FA depth', 'every-block (default): each block’s output too, through the final LayerNorm — beyond the paper, chosen on dev; final: the final hidden states only (the paper). Token form only.', choice(FA_DEPTHS)),
      field('defense.batching', 'Batches', 'shuffled (default): random rows, each batch the full window wide; by-length: shuffled, then grouped by length and trimmed to the longest row — fewer operations on short sentences, other batches and so other numbers.', choice(BATCHINGS)),
      field('defense.trainFinalNorm', 'Train final norm', "Train the student's final LayerNorm beside the adapters and head.", BOOL),
      field('defense.selectBestByDev', 'Best epoch by dev', 'Keep the epoch with the best dev accuracy (the paper) instead of the last.', BOOL),
      field('defense.averageLast', 'Average last epochs', 'End with the mean of the weights after each of the last N epochs, a steadier read than the last epoch alone (0 or 1: the last epoch’s).', int(0, undefined, ', e.g. 3 (0 = the last epoch)')),
      field('defense.onion.threshold', 'ONION threshold', 'A word is removed when deleting it lowers the pseudo-perplexity by more than this (ONION’s t; 0 removes every word that makes the text less fluent).', real({ hint: ', e.g. 0 (ONION’s default)' })),
      field('defense.onion.maxTexts', 'ONION test inputs', 'Screen at most this many clean and this many triggered test sentences (0 = all): each costs about words² masked-LM passes.', int(0, undefined, ' (0 = screen every test sentence)'), 50),
      field('defense.strip.repeats', 'STRIP copies', 'Perturbed copies of each input (STRIP’s N).', int(2, undefined, ', e.g. 10')),
      field('defense.strip.swapRatio', 'STRIP swap share', 'Share of an input’s words replaced by words from clean texts in each copy.', real({ min: 0, minOpen: true, max: 1, noun: 'share', hint: ', e.g. 0.5' }), 0.05),
      field('defense.strip.frr', 'STRIP false rejections', 'Share of clean dev inputs the entropy threshold is set to reject.', real({ min: 0, minOpen: true, max: 1, maxOpen: true, noun: 'rate', hint: ', e.g. 0.05 for 5 %' }), 0.01),
      field('defense.finePruning.maxRatio', 'Prune at most', 'Largest share of the last block’s FFN neurons fine-pruning may remove.', real({ min: 0, minOpen: true, max: 1, maxOpen: true, noun: 'share', hint: ', e.g. 0.9' }), 0.05),
      field('defense.finePruning.maxDevDrop', 'Prune until dev drops', 'Pruning stops before dev accuracy falls more than this below the unpruned model’s.', real({ ...SHARE_OF_ONE, hint: ', e.g. 0.05 for 5 points' }), 0.01),
      field('defense.nad.beta', 'NAD β', 'Weight of the attention-distillation term beside CE.', weight),
      ...optimFields('defense', 'unlearning'),
      ...loraFields('defense.lora', 'defender'),
    ],
  },
];

export const CONFIG_FIELDS: readonly ConfigField[] = CONFIG_GROUPS.flatMap((g) => g.fields);

/** Each field's rule by path, in the Setup screen's order. */
export const FIELD_RULES: ReadonlyMap<string, FieldRule> = new Map(CONFIG_FIELDS.map((f) => [f.path, f.rule]));

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
