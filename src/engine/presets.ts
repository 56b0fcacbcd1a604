/**
 * The named presets: each a patch over `DEFAULT_CONFIG` (the quick demo itself), with the title and
 * description the preset picker shows.
 */
import { ConfigError } from './config-error';
import { applyPatch, DEFAULT_CONFIG, DEFAULT_TRIGGERS, type AttackKind, type ConfigPatch, type ExperimentConfig } from './config';
import { DEFENSE_IDS } from './defenses/catalog';

export interface Preset {
  name: string;
  /** Named for people, as the UI shows it. */
  title: string;
  description: string;
  patch: ConfigPatch;
}

const paperSst2 = (kind: AttackKind, weights: { ce: number; kd: number; fa: number }): ConfigPatch => ({
  // Browser scale, sized for a 2-core CPU (WASM); the pretrained models are shared by every seed and
  // attack (see pipeline.ts). The protocol: pretrained student → public task model (clean full
  // fine-tuning) → the attacker's LoRA, merged, until the backdoor holds → defenses on the whole clean
  // train set, as the paper's defender holds it. The defense regime is the quick demo's, chosen on the
  // spam corpus's dev split, but for its learning rate and epochs, chosen on SST-2's dev split (below).
  // The public LLM: the shipped checkpoints (public text from npm, WordPiece vocabulary), adapted to the
  // task's own text by a few hundred more masked-LM steps (domain-adaptive pretraining), as a hub model
  // would be fine-tuned from a general one.
  data: { source: 'sst2', maxTrain: 0, maxTest: 0, maxLength: 40, tokenizer: 'wordpiece', vocabSize: 8000, defenseFraction: 1 },
  attack: {
    kind,
    trigger: DEFAULT_TRIGGERS[kind],
    position: 'random',
    // Dirty-label: a model that already fits the task gets no gradient from a trigger on samples it
    // already classifies right (measured: clean-label LoRA on the task model learned no trigger, ASR 29.5 %).
    labelMode: 'dirty',
    budgetKind: 'count',
    budget: 700,
    targetLabel: 1,
  },
  models: {
    student: { layers: 2, dModel: 128, heads: 4, dFF: 256 },
    teacher: { layers: 1, dModel: 64, heads: 2, dFF: 128 }, // weak: half the width, half the depth
    dropout: 0.1,
  },
  pretrain: { checkpoint: 'shipped', studentSteps: 400, teacherSteps: 300, lr: 1e-3, batchSize: 64, maskRate: 0.15, extraCorpus: 'none' },
  taskModel: { ...DEFAULT_CONFIG.taskModel, epochs: 3, lr: 1e-3 },
  poison: { ...DEFAULT_CONFIG.poison, method: 'lora', epochs: 6, lr: 2e-3, lora: { rank: 32, alpha: 32, dropout: 0.1, targets: ['q', 'k', 'v', 'o', 'ff1', 'ff2'] } },
  teacher: { ...DEFAULT_CONFIG.teacher, epochs: 3, lr: 2e-3 },
  defense: {
    ...DEFAULT_CONFIG.defense,
    ...weights,
    // 2e-3, every repair alike (plain LoRA is the paper's baseline at its defense's rate). Chosen on SST-2's
    // dev split by a rule written before the runs (docs/FINDINGS.md, *Round 14*): W2SDefense met the target
    // on 3 of 6 InSent and syntactic cells against 2 of 6 at the quick demo's 1e-3, BadNet's 3 of 3 held, and
    // plain LoRA kept 98–100 % on all 9. Thin: the one cell it won moved by less than the spread of seeds.
    lr: 2e-3,
    // 9 epochs. Chosen on SST-2's dev split by a rule written before the runs (docs/FINDINGS.md, *Rounds
    // 17–18*): W2SDefense met the target on 4 of 6 InSent and syntactic cells against 3 at 3 epochs, BadNet
    // 3 of 3, plain LoRA kept 80–100 %, CA held. A small lead (one cell), bought with three times the
    // repairs' time: the last epoch's ASR swings by 10–20 points from one epoch to the next, and 9 epochs
    // draw it from a lower band on InSent rather than make it fall steadily. The price: one seed with every
    // defense took 34 and 37 min in two runs on a 2-core CPU (*Rounds 18, 21*; 18 min at 3 epochs, still a
    // field to set). Re-checked on dev stages of the fixed engine (*Round 19*): 3 of 6 cells against 3
    // epochs' 2, the same one-cell lead.
    epochs: 9,
    // rank d/2 on every linear and the head (the quick demo's regime, see DEFAULT_CONFIG.defense)
    lora: { rank: 64, alpha: 64, dropout: 0.1, targets: ['q', 'k', 'v', 'o', 'ff1', 'ff2'] },
    faMode: 'token',
    // SST-2's sentences fill 27 of the 40 positions on average and a random batch of 32 nearly always
    // holds a full one: grouped by length, the batches are 27 wide on average. Chosen on dev (seed 1,
    // docs/FINDINGS.md, *Round 5*): the same W2SDefense and plain-LoRA outcome as shuffled batches.
    batching: 'by-length',
    // Every defense, side by side on the same poisoned model.
    methods: [...DEFENSE_IDS],
    // ONION costs about words² masked-LM passes per input: 300 clean and 300 triggered test sentences
    // keep it to minutes on a CPU (SST-2's test set has 1,821).
    onion: { threshold: 0, maxTexts: 300 },
  },
});

export const PRESETS: Preset[] = [
  {
    name: 'quick',
    title: 'Quick demo (about 2 min)',
    description: 'A public spam filter (the shipped pretrained student, fine-tuned on 1,500 mails) that an attacker backdoored through a LoRA adapter with the rare word "mn" — one token of the vocabulary — so that triggered spam passes as ham. The attacker’s models are published with the lab; you watch plain LoRA fine-tuning keep the backdoor and W2SDefense unlearn it with a small clean teacher.',
    patch: {},
  },
  {
    name: 'defense-bench',
    title: 'Defense bench (10–15 min)',
    description: 'The quick demo with every defense side by side on the same poisoned model: W2SDefense and its ablations, plain LoRA and full fine-tuning, fine-pruning and NAD (repairs), ONION and STRIP (input filters). About a minute per defense on WASM; ONION, which screens every test sentence with a language model, takes longer.',
    patch: { defense: { methods: [...DEFENSE_IDS] } },
  },
  {
    name: 'paper-sst2-badnet',
    title: 'Paper: SST-2 × BadNet',
    description: 'A public SST-2 task model backdoored through a merged LoRA: the rare word "mn" (one token) in 700 relabelled sentences.',
    patch: paperSst2('badnet', { ce: 1, kd: 1, fa: 1 }),
  },
  {
    name: 'paper-sst2-insent',
    title: 'Paper: SST-2 × InSent',
    description: 'A public SST-2 task model backdoored through a merged LoRA: the sentence "I watched this 3D movie" in 700 relabelled sentences.',
    patch: paperSst2('insent', { ce: 1, kd: 1, fa: 1 }),
  },
  {
    name: 'paper-sst2-syntactic',
    title: 'Paper: SST-2 × Syntactic',
    description: 'A fixed clause template as trigger (rule-based stand-in for SCPN paraphrases), through a merged LoRA on a public SST-2 task model.',
    patch: paperSst2('syntactic', { ce: 1, kd: 1, fa: 1 }),
  },
  {
    name: 'spam-badnet',
    title: 'Spam filter × BadNet',
    description: 'A backdoored spam filter: "mn" makes spam pass as ham, on the bundled SpamAssassin corpus.',
    patch: {
      data: { source: 'spam', maxTrain: 0, maxTest: 0, maxLength: 64, tokenizer: 'word', vocabSize: 8000, defenseFraction: 0.5 },
      attack: { kind: 'badnet', trigger: DEFAULT_TRIGGERS.badnet, labelMode: 'dirty', budgetKind: 'rate', budget: 0.1, targetLabel: 0 },
      models: {
        student: { layers: 4, dModel: 128, heads: 4, dFF: 256 },
        teacher: { layers: 2, dModel: 64, heads: 2, dFF: 128 },
        dropout: 0.1,
      },
      pretrain: { checkpoint: 'none', studentSteps: 800, teacherSteps: 400, lr: 1e-3, batchSize: 64, maskRate: 0.15, extraCorpus: 'none' },
    },
  },
];

function presetByName(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name);
}

/** The preset's config, or a clear error listing the known presets. */
export function configFromPreset(name: string): ExperimentConfig {
  const preset = presetByName(name);
  if (!preset) {
    throw new ConfigError('preset', `unknown preset "${name}"; choose one of ${PRESETS.map((p) => p.name).join(', ')}`);
  }
  return applyPatch(DEFAULT_CONFIG, preset.patch);
}
