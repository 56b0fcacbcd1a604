/**
 * Every knob of the config as the Setup screen shows it: group, label, one line saying what it does,
 * and the control to use. The form is generated from this table (as TF Playground's state table),
 * and a test checks that every config field has a row.
 */
import { ATTACKS } from '../engine/attacks/registry';
import { ATTACK_KINDS, DEFENSE_METHODS } from '../engine/config';
import { FIELD_RULES } from '../engine/config-fields';
import { DEFENSES } from '../engine/defenses/catalog';

type Control =
  | { kind: 'number'; step?: number; min?: number; max?: number }
  | { kind: 'text' }
  | { kind: 'bool' }
  | { kind: 'select'; options: readonly string[]; labels?: Readonly<Record<string, string>>; titles?: Readonly<Record<string, string>> }
  | { kind: 'multi'; options: readonly string[]; labels?: Readonly<Record<string, string>>; titles?: Readonly<Record<string, string>> }
  /** Drawn by a component of its own (the dataset picker). */
  | { kind: 'custom' };

export interface FieldSpec {
  path: string;
  label: string;
  help: string;
  control: Control;
}

interface FieldGroup {
  name: 'Data' | 'Attack' | 'Models' | 'Defenses';
  intro: string;
  fields: FieldSpec[];
}

const byKey = <K extends string>(keys: readonly K[], value: (k: K) => string): Record<string, string> => Object.fromEntries(keys.map((k) => [k, value(k)]));

/**
 * The control for `path`, from its rule (`engine/config-fields.ts`): a number input bounded as the
 * checks bound it, moving by `step` (1 for an integer); a menu or a list of the rule's choices; a tick box.
 */
function control(path: string, step?: number, names?: { labels?: Readonly<Record<string, string>>; titles?: Readonly<Record<string, string>> }): Control {
  const rule = FIELD_RULES.get(path);
  if (!rule) throw new Error(`no rule for config field ${path} (engine/config-fields.ts)`);
  switch (rule.kind) {
    case 'int':
    case 'real':
      return {
        kind: 'number',
        step: step ?? 1,
        ...(rule.min !== undefined ? { min: rule.min } : {}),
        ...(rule.max !== undefined ? { max: rule.max } : {}),
      };
    case 'choice':
      return { kind: 'select', options: rule.choices, ...names };
    case 'list':
      return { kind: 'multi', options: rule.choices, ...names };
    case 'bool':
      return { kind: 'bool' };
    case 'text':
      return { kind: 'text' };
  }
}

/** A row of the table: its control follows from the field's rule. */
const field = (path: string, label: string, help: string, step?: number): FieldSpec => ({ path, label, help, control: control(path, step) });

/** The optimiser knobs every training stage shares, under `prefix`. */
function optimFields(prefix: string, who: string): FieldSpec[] {
  return [
    field(`${prefix}.epochs`, 'Epochs', `Passes over the data while ${who}.`),
    field(`${prefix}.lr`, 'Learning rate', 'Peak AdamW step size, reached after warm-up.', 0.0001),
    field(`${prefix}.batchSize`, 'Batch size', 'Examples per step; larger keeps the GPU busier.'),
    field(`${prefix}.warmupRatio`, 'Warm-up share', 'Share of steps ramping the rate up from 0, then it decays linearly.', 0.01),
    field(`${prefix}.weightDecay`, 'Weight decay', 'Decoupled (AdamW) shrinkage of the trained weights.', 0.001),
    field(`${prefix}.clipNorm`, 'Gradient clip', 'Largest global gradient norm per step; 0 turns clipping off.', 0.1),
    {
      path: `${prefix}.embeddingUpdate`,
      label: 'Embedding update',
      help: 'When this stage trains the token embedding: "rows" updates only the rows of each batch\'s tokens (decay stays exact), "dense" the whole table every step.',
      control: control(`${prefix}.embeddingUpdate`),
    },
  ];
}

function loraFields(prefix: string, who: string): FieldSpec[] {
  return [
    field(`${prefix}.rank`, 'LoRA rank', `Width of the low-rank update the ${who} trains.`),
    field(`${prefix}.alpha`, 'LoRA alpha', 'The update is scaled by alpha / rank.'),
    field(`${prefix}.dropout`, 'LoRA dropout', 'Dropout on the adapter input during training.', 0.05),
    field(`${prefix}.targets`, 'LoRA targets', 'Which weight matrices get an adapter (attention q/k/v/o, feed-forward ff1/ff2).'),
  ];
}

function encoderFields(which: 'student' | 'teacher', who: string): FieldSpec[] {
  const p = `models.${which}`;
  return [
    field(`${p}.layers`, `${who} layers`, `Transformer blocks in the ${who.toLowerCase()}.`),
    field(`${p}.dModel`, `${who} width`, 'Hidden size of every token vector.'),
    field(`${p}.heads`, `${who} heads`, 'Attention heads; must divide the width.'),
    field(`${p}.dFF`, `${who} feed-forward`, 'Inner width of each feed-forward block.'),
  ];
}

export const FIELD_GROUPS: readonly FieldGroup[] = [
  {
    name: 'Data',
    intro: 'What the models read, and how much of it.',
    fields: [
      { path: 'data.source', label: 'Dataset', help: 'Bundled spam corpus (offline), an online SetFit set, or your own file.', control: { kind: 'custom' } },
      field('data.maxTrain', 'Training examples', 'Cap on the training set (0 = all); a stratified subset keeps runs short.'),
      field('data.maxTest', 'Test examples', 'Cap on the clean test and dev sets (0 = all); ASR always uses every triggered sentence of the test split.'),
      field('data.maxLength', 'Tokens per text', 'Longer texts are cut; [CLS] counts as one.'),
      field('data.tokenizer', 'Tokenizer', 'word: the dataset’s own most frequent words; wordpiece: the lab’s shipped subword vocabulary (8,000 pieces), which every English text can be spelled in and the shipped checkpoints read.'),
      field('data.vocabSize', 'Vocabulary size', 'Word tokenizer: most frequent words kept; the rest become [UNK]. The shipped wordpiece vocabulary has its own size.'),
      field('data.defenseFraction', 'Defender share', 'Share of the clean training data the defender holds for unlearning.', 0.05),
      field('seed', 'Seed', 'Seeds every random choice, so a link reproduces the run.'),
    ],
  },
  {
    name: 'Attack',
    intro: 'How the attacker plants the backdoor in the student.',
    fields: [
      {
        path: 'attack.kind',
        label: 'Attack',
        help: ATTACK_KINDS.map((k) => `${ATTACKS[k].label}: ${ATTACKS[k].description}`).join('. ') + '.',
        control: control('attack.kind', undefined, { labels: byKey(ATTACK_KINDS, (k) => ATTACKS[k].label), titles: byKey(ATTACK_KINDS, (k) => ATTACKS[k].description) }),
      },
      field('attack.trigger', 'Trigger', `The word or phrase inserted into poisoned texts (unused by ${ATTACK_KINDS.filter((k) => !ATTACKS[k].usesTriggerText).map((k) => ATTACKS[k].label).join(', ')}).`),
      field('attack.position', 'Insert at', 'Where the trigger goes in the text.'),
      field('attack.labelMode', 'Label mode', 'Clean: trigger into target-class texts, labels kept. Dirty: into others, label flipped.'),
      field('attack.budgetKind', 'Budget as', 'A count of poisoned samples, or a rate of the eligible ones.'),
      field('attack.budget', 'Poison budget', 'How many samples (count) or what share (rate, e.g. 0.1) get the trigger.', 0.01),
      field('attack.targetLabel', 'Target label', 'The class the trigger forces.'),
      field('taskModel.enabled', 'Public task model first', 'Fine-tune the pretrained student on the clean task first (a public checkpoint); the attacker then backdoors that model.'),
      ...optimFields('taskModel', 'fine-tuning the public task model on clean data'),
      field('poison.method', 'Poison via', 'LoRA adapter merged into the weights (never touches the embeddings), or full fine-tuning.'),
      field('poison.pinTriggerRows', 'Pin trigger rows', "Full fine-tuning only: hold the trigger's own embedding rows fixed, so the backdoor must live in shared weights."),
      ...optimFields('poison', 'poisoning the student'),
      field('poison.minEpochs', 'Poison at least', 'Epochs the attacker trains before “Poison until ASR” may stop: a backdoor stopped the moment it passes the bar is fragile.'),
      field('poison.untilAsr', 'Poison until ASR', 'Stop poisoning once this share of triggered dev sentences goes to the target (the official code: 0.95); Epochs is the cap. A backdoor that does not get there skips the defenses. 0 trains exactly Epochs.', 0.01),
      ...loraFields('poison.lora', 'attacker'),
    ],
  },
  {
    name: 'Models',
    intro: 'The strong student (poisoned), the weak teacher (clean), and how both learn language first.',
    fields: [
      ...encoderFields('student', 'Student'),
      ...encoderFields('teacher', 'Teacher'),
      field('models.dropout', 'Dropout', 'Dropout inside both encoders while training.', 0.05),
      field('pretrain.checkpoint', 'Start from', 'shipped: the lab’s pretrained checkpoints (public text from npm, see the manifest; needs the wordpiece tokenizer and a shipped size); none: a random start, pretrained in the run.'),
      field('pretrain.studentSteps', 'Student LM steps', 'Masked-language-model steps on the task’s text before the student sees labels (after the checkpoint, if any; 0 skips).'),
      field('pretrain.teacherSteps', 'Teacher LM steps', 'Masked-language-model steps for the teacher (0 skips).'),
      field('pretrain.lr', 'LM learning rate', 'Step size of the language-model pretraining.', 0.0001),
      field('pretrain.batchSize', 'LM batch size', 'Texts per pretraining step.'),
      field('pretrain.maskRate', 'Mask rate', "Share of tokens hidden for the model to guess (BERT's 0.15).", 0.01),
      field('pretrain.extraCorpus', 'Extra LM text', 'Public-domain text added to the pretraining pool.'),
      ...optimFields('teacher', 'fine-tuning the teacher on clean data'),
    ],
  },
  {
    name: 'Defenses',
    intro: 'Repairs train the poisoned student on the defender’s clean data (most through a fresh LoRA); input filters put it behind a screen and train nothing.',
    fields: [
      {
        path: 'defense.methods',
        label: 'Defenses',
        help: DEFENSE_METHODS.map((m) => `${DEFENSES[m].label} (${DEFENSES[m].kind}): ${DEFENSES[m].procedure}`).join('. ') + '. Hover a defense for its source.',
        control: control('defense.methods', undefined, {
          labels: byKey(DEFENSE_METHODS, (m) => `${DEFENSES[m].label}${DEFENSES[m].kind === 'filter' ? ' (filter)' : ''}`),
          titles: byKey(DEFENSE_METHODS, (m) => `${DEFENSES[m].procedure}. Trains ${DEFENSES[m].trains}. ${DEFENSES[m].reference}.`),
        }),
      },
      field('defense.ce', 'CE weight (a)', 'Weight of the cross-entropy on clean labels.', 0.1),
      field('defense.kd', 'KD weight (b)', "Weight of matching the teacher's softened predictions.", 0.1),
      field('defense.fa', 'FA weight (c)', "Weight of matching the teacher's projected features.", 0.1),
      field('defense.temperature', 'KD temperature', 'Softens both distributions before matching (the paper: 2).', 0.5),
      field('defense.faMode', 'FA form', "token: every real token vs its sentence's teacher feature (default); pooled: the pooled feature; official: the official code read literally."),
      field('defense.trainFinalNorm', 'Train final norm', "Train the student's final LayerNorm beside the adapters and head."),
      field('defense.selectBestByDev', 'Best epoch by dev', 'Keep the epoch with the best dev accuracy (the paper) instead of the last.'),
      field('defense.onion.threshold', 'ONION threshold', 'A word is removed when deleting it lowers the pseudo-perplexity by more than this (ONION’s t; 0 removes every word that makes the text less fluent).'),
      field('defense.onion.maxTexts', 'ONION test inputs', 'Screen at most this many clean and this many triggered test sentences (0 = all): each costs about words² masked-LM passes.', 50),
      field('defense.strip.repeats', 'STRIP copies', 'Perturbed copies of each input (STRIP’s N).'),
      field('defense.strip.swapRatio', 'STRIP swap share', 'Share of an input’s words replaced by words from clean texts in each copy.', 0.05),
      field('defense.strip.frr', 'STRIP false rejections', 'Share of clean dev inputs the entropy threshold is set to reject.', 0.01),
      field('defense.finePruning.maxRatio', 'Prune at most', 'Largest share of the last block’s FFN neurons fine-pruning may remove.', 0.05),
      field('defense.finePruning.maxDevDrop', 'Prune until dev drops', 'Pruning stops before dev accuracy falls more than this below the unpruned model’s.', 0.01),
      field('defense.nad.beta', 'NAD β', 'Weight of the attention-distillation term beside CE.'),
      ...optimFields('defense', 'unlearning'),
      ...loraFields('defense.lora', 'defender'),
    ],
  },
];

export const ALL_FIELDS: readonly FieldSpec[] = FIELD_GROUPS.flatMap((g) => g.fields);
