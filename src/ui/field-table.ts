/**
 * Every knob of the config as the Setup screen shows it: group, label, one line saying what it does,
 * and the control to use. The form is generated from this table (as TF Playground's state table),
 * and a test checks that every config field has a row.
 */
import { ATTACKS } from '../engine/attacks/registry';
import { ATTACK_KINDS, DEFENSE_METHODS, EMBEDDING_UPDATES, FA_MODES, LORA_TARGETS, TOKENIZER_KINDS } from '../engine/config';
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

const num = (step?: number, min?: number, max?: number): Control => ({
  kind: 'number',
  ...(step !== undefined ? { step } : {}),
  ...(min !== undefined ? { min } : {}),
  ...(max !== undefined ? { max } : {}),
});

/** The optimiser knobs every training stage shares, under `prefix`. */
function optimFields(prefix: string, who: string): FieldSpec[] {
  return [
    { path: `${prefix}.epochs`, label: 'Epochs', help: `Passes over the data while ${who}.`, control: num(1, 1) },
    { path: `${prefix}.lr`, label: 'Learning rate', help: 'Peak AdamW step size, reached after warm-up.', control: num(0.0001, 0) },
    { path: `${prefix}.batchSize`, label: 'Batch size', help: 'Examples per step; larger keeps the GPU busier.', control: num(1, 1) },
    { path: `${prefix}.warmupRatio`, label: 'Warm-up share', help: 'Share of steps ramping the rate up from 0, then it decays linearly.', control: num(0.01, 0, 1) },
    { path: `${prefix}.weightDecay`, label: 'Weight decay', help: 'Decoupled (AdamW) shrinkage of the trained weights.', control: num(0.001, 0) },
    { path: `${prefix}.clipNorm`, label: 'Gradient clip', help: 'Largest global gradient norm per step; 0 turns clipping off.', control: num(0.1, 0) },
    {
      path: `${prefix}.embeddingUpdate`,
      label: 'Embedding update',
      help: 'When this stage trains the token embedding: "rows" updates only the rows of each batch\'s tokens (decay stays exact), "dense" the whole table every step.',
      control: { kind: 'select', options: EMBEDDING_UPDATES },
    },
  ];
}

function loraFields(prefix: string, who: string): FieldSpec[] {
  return [
    { path: `${prefix}.rank`, label: 'LoRA rank', help: `Width of the low-rank update the ${who} trains.`, control: num(1, 1) },
    { path: `${prefix}.alpha`, label: 'LoRA alpha', help: 'The update is scaled by alpha / rank.', control: num(1, 0) },
    { path: `${prefix}.dropout`, label: 'LoRA dropout', help: 'Dropout on the adapter input during training.', control: num(0.05, 0, 1) },
    { path: `${prefix}.targets`, label: 'LoRA targets', help: 'Which weight matrices get an adapter (attention q/k/v/o, feed-forward ff1/ff2).', control: { kind: 'multi', options: LORA_TARGETS } },
  ];
}

function encoderFields(which: 'student' | 'teacher', who: string): FieldSpec[] {
  const p = `models.${which}`;
  return [
    { path: `${p}.layers`, label: `${who} layers`, help: `Transformer blocks in the ${who.toLowerCase()}.`, control: num(1, 1) },
    { path: `${p}.dModel`, label: `${who} width`, help: 'Hidden size of every token vector.', control: num(1, 4) },
    { path: `${p}.heads`, label: `${who} heads`, help: 'Attention heads; must divide the width.', control: num(1, 1) },
    { path: `${p}.dFF`, label: `${who} feed-forward`, help: 'Inner width of each feed-forward block.', control: num(1, 1) },
  ];
}

export const FIELD_GROUPS: readonly FieldGroup[] = [
  {
    name: 'Data',
    intro: 'What the models read, and how much of it.',
    fields: [
      { path: 'data.source', label: 'Dataset', help: 'Bundled spam corpus (offline), an online SetFit set, or your own file.', control: { kind: 'custom' } },
      { path: 'data.maxTrain', label: 'Training examples', help: 'Cap on the training set (0 = all); a stratified subset keeps runs short.', control: num(1, 0) },
      { path: 'data.maxTest', label: 'Test examples', help: 'Cap on the clean test and dev sets (0 = all); ASR always uses every triggered sentence of the test split.', control: num(1, 0) },
      { path: 'data.maxLength', label: 'Tokens per text', help: 'Longer texts are cut; [CLS] counts as one.', control: num(1, 4, 512) },
      { path: 'data.tokenizer', label: 'Tokenizer', help: 'word: the dataset’s own most frequent words; wordpiece: the lab’s shipped subword vocabulary (8,000 pieces), which every English text can be spelled in and the shipped checkpoints read.', control: { kind: 'select', options: TOKENIZER_KINDS } },
      { path: 'data.vocabSize', label: 'Vocabulary size', help: 'Word tokenizer: most frequent words kept; the rest become [UNK]. The shipped wordpiece vocabulary has its own size.', control: num(1, 16) },
      { path: 'data.defenseFraction', label: 'Defender share', help: 'Share of the clean training data the defender holds for unlearning.', control: num(0.05, 0, 1) },
      { path: 'seed', label: 'Seed', help: 'Seeds every random choice, so a link reproduces the run.', control: num(1) },
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
        control: { kind: 'select', options: ATTACK_KINDS, labels: byKey(ATTACK_KINDS, (k) => ATTACKS[k].label), titles: byKey(ATTACK_KINDS, (k) => ATTACKS[k].description) },
      },
      { path: 'attack.trigger', label: 'Trigger', help: `The word or phrase inserted into poisoned texts (unused by ${ATTACK_KINDS.filter((k) => !ATTACKS[k].usesTriggerText).map((k) => ATTACKS[k].label).join(', ')}).`, control: { kind: 'text' } },
      { path: 'attack.position', label: 'Insert at', help: 'Where the trigger goes in the text.', control: { kind: 'select', options: ['random', 'start', 'end'] } },
      { path: 'attack.labelMode', label: 'Label mode', help: 'Clean: trigger into target-class texts, labels kept. Dirty: into others, label flipped.', control: { kind: 'select', options: ['clean', 'dirty'] } },
      { path: 'attack.budgetKind', label: 'Budget as', help: 'A count of poisoned samples, or a rate of the eligible ones.', control: { kind: 'select', options: ['count', 'rate'] } },
      { path: 'attack.budget', label: 'Poison budget', help: 'How many samples (count) or what share (rate, e.g. 0.1) get the trigger.', control: num(0.01, 0) },
      { path: 'attack.targetLabel', label: 'Target label', help: 'The class the trigger forces.', control: num(1, 0) },
      { path: 'taskModel.enabled', label: 'Public task model first', help: 'Fine-tune the pretrained student on the clean task first (a public checkpoint); the attacker then backdoors that model.', control: { kind: 'bool' } },
      ...optimFields('taskModel', 'fine-tuning the public task model on clean data'),
      { path: 'poison.method', label: 'Poison via', help: 'LoRA adapter merged into the weights (never touches the embeddings), or full fine-tuning.', control: { kind: 'select', options: ['lora', 'full'] } },
      { path: 'poison.pinTriggerRows', label: 'Pin trigger rows', help: "Full fine-tuning only: hold the trigger's own embedding rows fixed, so the backdoor must live in shared weights.", control: { kind: 'bool' } },
      ...optimFields('poison', 'poisoning the student'),
      { path: 'poison.minEpochs', label: 'Poison at least', help: 'Epochs the attacker trains before “Poison until ASR” may stop: a backdoor stopped the moment it passes the bar is fragile.', control: num(1, 0, 50) },
      { path: 'poison.untilAsr', label: 'Poison until ASR', help: 'Stop poisoning once this share of triggered dev sentences goes to the target (the official code: 0.95); Epochs is the cap. A backdoor that does not get there skips the defenses. 0 trains exactly Epochs.', control: num(0.01, 0, 0.99) },
      ...loraFields('poison.lora', 'attacker'),
    ],
  },
  {
    name: 'Models',
    intro: 'The strong student (poisoned), the weak teacher (clean), and how both learn language first.',
    fields: [
      ...encoderFields('student', 'Student'),
      ...encoderFields('teacher', 'Teacher'),
      { path: 'models.dropout', label: 'Dropout', help: 'Dropout inside both encoders while training.', control: num(0.05, 0, 1) },
      { path: 'pretrain.checkpoint', label: 'Start from', help: 'shipped: the lab’s pretrained checkpoints (public text from npm, see the manifest; needs the wordpiece tokenizer and a shipped size); none: a random start, pretrained in the run.', control: { kind: 'select', options: ['none', 'shipped'] } },
      { path: 'pretrain.studentSteps', label: 'Student LM steps', help: 'Masked-language-model steps on the task’s text before the student sees labels (after the checkpoint, if any; 0 skips).', control: num(1, 0) },
      { path: 'pretrain.teacherSteps', label: 'Teacher LM steps', help: 'Masked-language-model steps for the teacher (0 skips).', control: num(1, 0) },
      { path: 'pretrain.lr', label: 'LM learning rate', help: 'Step size of the language-model pretraining.', control: num(0.0001, 0) },
      { path: 'pretrain.batchSize', label: 'LM batch size', help: 'Texts per pretraining step.', control: num(1, 1) },
      { path: 'pretrain.maskRate', label: 'Mask rate', help: "Share of tokens hidden for the model to guess (BERT's 0.15).", control: num(0.01, 0, 1) },
      { path: 'pretrain.extraCorpus', label: 'Extra LM text', help: 'Public-domain text added to the pretraining pool.', control: { kind: 'select', options: ['none', 'moby-dick', 'sotu'] } },
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
        control: {
          kind: 'multi',
          options: DEFENSE_METHODS,
          labels: byKey(DEFENSE_METHODS, (m) => `${DEFENSES[m].label}${DEFENSES[m].kind === 'filter' ? ' (filter)' : ''}`),
          titles: byKey(DEFENSE_METHODS, (m) => `${DEFENSES[m].procedure}. Trains ${DEFENSES[m].trains}. ${DEFENSES[m].reference}.`),
        },
      },
      { path: 'defense.ce', label: 'CE weight (a)', help: 'Weight of the cross-entropy on clean labels.', control: num(0.1, 0) },
      { path: 'defense.kd', label: 'KD weight (b)', help: "Weight of matching the teacher's softened predictions.", control: num(0.1, 0) },
      { path: 'defense.fa', label: 'FA weight (c)', help: "Weight of matching the teacher's projected features.", control: num(0.1, 0) },
      { path: 'defense.temperature', label: 'KD temperature', help: 'Softens both distributions before matching (the paper: 2).', control: num(0.5, 0) },
      { path: 'defense.faMode', label: 'FA form', help: "token: every real token vs its sentence's teacher feature (default); pooled: the pooled feature; official: the official code read literally.", control: { kind: 'select', options: FA_MODES } },
      { path: 'defense.trainFinalNorm', label: 'Train final norm', help: "Train the student's final LayerNorm beside the adapters and head.", control: { kind: 'bool' } },
      { path: 'defense.selectBestByDev', label: 'Best epoch by dev', help: 'Keep the epoch with the best dev accuracy (the paper) instead of the last.', control: { kind: 'bool' } },
      { path: 'defense.onion.threshold', label: 'ONION threshold', help: 'A word is removed when deleting it lowers the pseudo-perplexity by more than this (ONION’s t; 0 removes every word that makes the text less fluent).', control: num(1) },
      { path: 'defense.onion.maxTexts', label: 'ONION test inputs', help: 'Screen at most this many clean and this many triggered test sentences (0 = all): each costs about words² masked-LM passes.', control: num(50, 0) },
      { path: 'defense.strip.repeats', label: 'STRIP copies', help: 'Perturbed copies of each input (STRIP’s N).', control: num(1, 2) },
      { path: 'defense.strip.swapRatio', label: 'STRIP swap share', help: 'Share of an input’s words replaced by words from clean texts in each copy.', control: num(0.05, 0, 1) },
      { path: 'defense.strip.frr', label: 'STRIP false rejections', help: 'Share of clean dev inputs the entropy threshold is set to reject.', control: num(0.01, 0, 1) },
      { path: 'defense.finePruning.maxRatio', label: 'Prune at most', help: 'Largest share of the last block’s FFN neurons fine-pruning may remove.', control: num(0.05, 0, 1) },
      { path: 'defense.finePruning.maxDevDrop', label: 'Prune until dev drops', help: 'Pruning stops before dev accuracy falls more than this below the unpruned model’s.', control: num(0.01, 0, 1) },
      { path: 'defense.nad.beta', label: 'NAD β', help: 'Weight of the attention-distillation term beside CE.', control: num(1, 0) },
      ...optimFields('defense', 'unlearning'),
      ...loraFields('defense.lora', 'defender'),
    ],
  },
];

export const ALL_FIELDS: readonly FieldSpec[] = FIELD_GROUPS.flatMap((g) => g.fields);
