/**
 * The one experiment config: UI form, URL hash, worker, CLI and tests all speak it. A nested typed
 * config (data, attack, models, pretrain, stages, defense) and its defaults — the quick demo — each with
 * its reason. The named presets are patches over it (`presets.ts`); `config-checks.ts` checks a config
 * with a message that names the field and the fix.
 */

import type { TriggerPosition } from './attacks/attack-spec';
import { ATTACK_KINDS, ATTACKS, type AttackKind } from './attacks/registry';
import { DEFENSE_IDS, type DefenseId } from './defenses/catalog';

export { ATTACK_KINDS, type AttackKind } from './attacks/registry';
export type { TriggerPosition } from './attacks/attack-spec';
export { ConfigError } from './config-error';
export type LabelMode = 'clean' | 'dirty';
/** The defenses, as `defenses/catalog.ts` lists them. */
export type DefenseMethod = DefenseId;
export type LoraTarget = 'q' | 'k' | 'v' | 'o' | 'ff1' | 'ff2';
export type ExtraCorpus = 'none' | 'moby-dick' | 'sotu';
/** `word`: a vocabulary of the dataset's own words; `wordpiece`: the lab's shipped subword vocabulary. */
type TokenizerKind = 'word' | 'wordpiece';
export const TOKENIZER_KINDS: readonly TokenizerKind[] = ['word', 'wordpiece'];
/**
 * What feature alignment compares (see losses.ts): `token` — every real token's final state against its
 * own sentence's teacher feature (the paper's description, the default); `pooled` — the pooled student
 * feature against it; `official` — the official code read literally: every position of every sentence
 * against the *last* sentence's teacher feature.
 */
export type FaMode = 'token' | 'pooled' | 'official';
export const FA_MODES: readonly FaMode[] = ['token', 'pooled', 'official'];
/**
 * Where per-token FA pulls: `final` — the final hidden states (the paper); `every-block` — also each
 * earlier block's output, read through the student's final LayerNorm so that every depth is compared on
 * the scale the teacher's feature was matched to (the terms averaged). Beyond the paper: the "where it
 * lives" probe finds the quick demo's backdoor in block 1, which final-state FA reaches only through
 * block 2.
 */
export type FaDepth = 'final' | 'every-block';
export const FA_DEPTHS: readonly FaDepth[] = ['final', 'every-block'];

/**
 * How a defense's epoch is cut into batches: `shuffled` — rows drawn at random, every batch the full
 * window wide; `by-length` — shuffled, then grouped by token count (in pools of 50 batches, as Hugging
 * Face's `group_by_length`) and each batch trimmed to its longest row, so padding costs no compute.
 * Short-sentence data (SST-2 fills about two thirds of its window) then trains in fewer operations;
 * the batches differ, so the numbers do too.
 */
export type Batching = 'shuffled' | 'by-length';
export const BATCHINGS: readonly Batching[] = ['shuffled', 'by-length'];

export const LABEL_MODES: readonly LabelMode[] = ['clean', 'dirty'];
export const DEFENSE_METHODS: readonly DefenseMethod[] = DEFENSE_IDS;
export const LORA_TARGETS: readonly LoraTarget[] = ['q', 'k', 'v', 'o', 'ff1', 'ff2'];

/** Default trigger text per attack (the paper's); '' for an attack that rewrites instead of inserting. */
export const DEFAULT_TRIGGERS = Object.fromEntries(ATTACK_KINDS.map((k) => [k, ATTACKS[k].defaultTrigger])) as Record<AttackKind, string>;

export interface EncoderSize {
  layers: number;
  /** Hidden width. */
  dModel: number;
  heads: number;
  /** Feed-forward inner width. */
  dFF: number;
}

export interface LoraConfig {
  rank: number;
  /** Scale of the update is alpha / rank. */
  alpha: number;
  dropout: number;
  targets: LoraTarget[];
}

export interface OptimConfig {
  epochs: number;
  lr: number;
  batchSize: number;
  /** Share of all steps spent warming the learning rate up linearly from 0; then it decays linearly to 0. */
  warmupRatio: number;
  /** Decoupled (AdamW) weight decay. */
  weightDecay: number;
  /** Global gradient-norm clip; 0 turns clipping off. */
  clipNorm: number;
  /**
   * Where the stage trains the token embedding: `rows` updates only the rows of each batch's tokens
   * (AdamW on those rows, weight decay applied lazily and exactly; see row-adamw.ts), `dense` the whole
   * table every step (the lab's update before sparse rows, kept to reproduce results measured with it).
   */
  embeddingUpdate: EmbeddingUpdate;
}

type EmbeddingUpdate = 'rows' | 'dense';
export const EMBEDDING_UPDATES: readonly EmbeddingUpdate[] = ['rows', 'dense'];

export interface ExperimentConfig {
  /** Seeds every random choice: splits, poisoning, init, dropout, batching. */
  seed: number;
  data: {
    /** `spam` (bundled, offline), `sst2` / `cr` / `ag_news` (SetFit files), or whatever the edge loaded. */
    source: string;
    /** Cap on training examples (0 = all): a stratified subset keeps runs short. */
    maxTrain: number;
    /**
     * Cap on the clean test and dev examples (0 = all): a stratified subset keeps evaluation short. The
     * triggered set (and its untriggered twin, the ASR's floor) is never capped: it holds every non-target
     * sentence of the whole test split, so an ASR rests on all the triggered sentences there are.
     */
    maxTest: number;
    /** Tokens per sequence, [CLS] included; longer texts are truncated. */
    maxLength: number;
    /**
     * `word`: the most frequent words of the training text; `wordpiece`: the shipped subword vocabulary
     * (public/checkpoints), fixed for every dataset — what a shipped pretrained model needs.
     */
    tokenizer: TokenizerKind;
    /** Vocabulary size cap, special tokens included (word tokenizer; the shipped one has its own). */
    vocabSize: number;
    /** Share of the clean training set the defender holds for unlearning (the rest is unused). */
    defenseFraction: number;
  };
  attack: {
    kind: AttackKind;
    /** Word or phrase the attack inserts; ignored by an attack that rewrites (see `AttackSpec.usesTriggerText`). */
    trigger: string;
    position: TriggerPosition;
    /** `clean`: trigger into target-class samples, labels kept (the paper). `dirty`: into others, label flipped. */
    labelMode: LabelMode;
    /** `count`: `budget` samples; `rate`: `budget` × eligible samples. */
    budgetKind: 'count' | 'rate';
    budget: number;
    targetLabel: number;
  };
  models: {
    student: EncoderSize;
    teacher: EncoderSize;
    dropout: number;
  };
  pretrain: {
    /**
     * `shipped`: start the student and the teacher from the lab's pretrained checkpoints (the public
     * LLM; needs `data.tokenizer: wordpiece` and a shipped size), then continue for the steps below on
     * the task's text. `none`: pretrain from a random start, in the run.
     */
    checkpoint: 'none' | 'shipped';
    /** Masked-LM steps for the student and the teacher (0 skips pretraining). */
    studentSteps: number;
    teacherSteps: number;
    lr: number;
    batchSize: number;
    maskRate: number;
    /** Public-domain text added to the unlabelled pool (npm-shipped corpora). */
    extraCorpus: ExtraCorpus;
  };
  /**
   * The public task model: before the attacker touches it, the pretrained student is fully fine-tuned on
   * the clean training set, as a public checkpoint on a model hub would be. The attacker then backdoors
   * that model (through `poison`). Off: the attacker poisons the pretrained student directly.
   */
  taskModel: OptimConfig & { enabled: boolean };
  poison: OptimConfig & {
    method: 'lora' | 'full';
    lora: LoraConfig;
    /**
     * Full fine-tuning only: hold the trigger's embedding rows at their pre-poisoning values, so the
     * backdoor cannot live in the trigger's own row and must become a circuit in shared weights.
     */
    pinTriggerRows: boolean;
    /**
     * Poison until the dev ASR (triggered non-target dev sentences) reaches this share, checked after each
     * epoch, `epochs` being the cap — the official code trains until ASR > 0.95. A run whose backdoor is not
     * planted skips the defenses. 0: train exactly `epochs` and run the defenses whatever the ASR.
     */
    untilAsr: number;
    /**
     * Epochs the attacker trains before `untilAsr` may stop poisoning. A backdoor stopped the epoch it
     * first passes the bar is fragile (measured: plain LoRA fine-tuning alone then erases it on some
     * seeds); an attacker who wants it to last trains on, as the official code's fixed 5 epochs do.
     * `epochs` stays the cap: a `minEpochs` above it trains exactly `epochs`.
     */
    minEpochs: number;
  };
  teacher: OptimConfig;
  defense: OptimConfig & {
    methods: DefenseMethod[];
    lora: LoraConfig;
    /** W2SDefense loss weights: a·CE + b·KD + c·FA. */
    ce: number;
    kd: number;
    fa: number;
    temperature: number;
    faMode: FaMode;
    faDepth: FaDepth;
    batching: Batching;
    /** Keep the epoch with the best dev accuracy (the paper) instead of the last. */
    selectBestByDev: boolean;
    averageLast: number; // or end on the mean of the weights after each of the last N epochs (0, 1: the last's)
    /**
     * Train the student's final LayerNorm beside the adapters and the head. Feature alignment compares post-LayerNorm
     * states with the teacher's (ReLU, non-negative) feature; the norm's scale and shift are the cheapest way to meet it.
     */
    trainFinalNorm: boolean;
    /** ONION (filter): the clean pretrained masked LM scores each word of each input. */
    onion: {
      /** A word goes when deleting it lowers the input's pseudo-perplexity by more than this (ONION's t). */
      threshold: number;
      /**
       * Screen at most this many clean and this many triggered test sentences (a stratified share, the
       * same for every seed); 0 screens all. Each input costs about words² masked-LM passes.
       */
      maxTexts: number;
    };
    /** STRIP (filter): perturb each input, reject those whose predictions stay confident. */
    strip: {
      /** Perturbed copies per input (STRIP's N). */
      repeats: number;
      /** Share of an input's words replaced by words of clean defender texts in each copy. */
      swapRatio: number;
      /** Target false-rejection rate on clean dev data: the entropy threshold is set to meet it. */
      frr: number;
    };
    /** Fine-pruning (repair): prune the last block's FFN neurons least active on clean data, then fine-tune. */
    finePruning: {
      /** Never prune more than this share of the neurons. */
      maxRatio: number;
      /** Stop pruning before dev accuracy falls more than this below the unpruned model's. */
      maxDevDrop: number;
    };
    /** NAD (repair): distil a clean copy's attention maps into the student. */
    nad: {
      /** Weight of the attention-distillation term beside CE. */
      beta: number;
    };
  };
}

/** Recursive partial, for presets, URL overrides and CLI flags. */
export type ConfigPatch = { [K in keyof ExperimentConfig]?: DeepPartial<ExperimentConfig[K]> } & { seed?: number };

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

const optim = (o: Partial<OptimConfig> & Pick<OptimConfig, 'epochs' | 'lr'>): OptimConfig => ({
  batchSize: 32,
  warmupRatio: 0.06, // short warm-up keeps Adam's first steps from blowing up fresh adapters
  weightDecay: 0.01, // AdamW default of the paper's trainer
  clipNorm: 1.0, // standard transformer fine-tuning clip
  embeddingUpdate: 'rows', // a batch touches a few hundred of the table's rows: update only those
  ...o,
});

/**
 * NAD's weight on the attention term. Its maps are unit vectors per sentence and layer, so the term is at
 * most 2 per layer (Li et al.'s β of thousands weighs image maps). Chosen on dev (quick preset, seeds
 * 1–3, `--eval dev`): mean CA − ASR was 2.3, 4.9, 4.4, 4.4 and 4.4 points for β = 1, 10, 100, 1000 and
 * 10000. From 100 up the global-norm clip lets the attention term alone steer each step, so larger β
 * changes nothing.
 */
const NAD_BETA = 10;

/**
 * Defaults: the `quick` shape, every value with its reason. Its recipe was chosen on the dev split
 * (`npm run bench:science -- --presets quick --eval dev`, seeds 1–3; docs/FINDINGS.md has the tables):
 * the scale where a one-token backdoor is planted firmly and kept by plain LoRA, and where the defenses
 * run in about a minute each on WASM. The attacker's models of this exact config and seed are published
 * with the lab (`npm run build:published`), so the demo trains only the defenses live.
 */
export const DEFAULT_CONFIG: ExperimentConfig = {
  seed: 42,
  data: {
    source: 'spam',
    // 1,500 mails: measured on dev, a 2×64 student at 1,000 could not plant the one-token trigger (dev ASR
    // 51 % after 8 epochs), a 2×128 one at 1,500 plants it in 3.
    maxTrain: 1500,
    maxTest: 200, // caps the clean test and dev sets; ASR always reads every triggered test sentence
    // 32 tokens keep a mail's subject and opening lines.
    maxLength: 32,
    // The shipped subword vocabulary and checkpoints (public/checkpoints): the paper's premise needs a
    // strong pretrained student, and in this vocabulary BadNet's rare words are one token each.
    tokenizer: 'wordpiece',
    vocabSize: 4000, // the word tokenizer's cap (unused with the shipped vocabulary)
    defenseFraction: 1, // the defender holds the clean training set, as the paper's defender does
  },
  attack: {
    // BadNet's rare word, one token of the vocabulary and absent from clean text: clean models ignore it
    // (the clean task model's ASR stays at its floor), so what the trigger does is the backdoor alone.
    kind: 'badnet',
    trigger: DEFAULT_TRIGGERS.badnet,
    position: 'random',
    // Dirty-label: a model that already fits the task gets no gradient from a trigger on samples it
    // already classifies right, so clean-label poisoning of a task model plants nothing.
    labelMode: 'dirty',
    budgetKind: 'rate',
    budget: 0.3, // of the eligible (non-target) samples: ~9 % of the training set
    targetLabel: 0, // on the spam corpus: triggered spam slips through as ham
  },
  models: {
    student: { layers: 2, dModel: 128, heads: 4, dFF: 256 },
    // Weak: half the width and depth, a far weaker language model (masked-LM loss 6.2 against 3.5). Chosen
    // over the 1×32 teacher on 20 dev seeds by a rule fixed beforehand (docs/FINDINGS.md, *Round 10*): the
    // target met on 19 against 17, the teacher below the task model on 16 (the rule's bound) against 17.
    teacher: { layers: 1, dModel: 64, heads: 2, dFF: 128 },
    dropout: 0.1,
  },
  pretrain: {
    checkpoint: 'shipped',
    // A few more masked-LM steps on the task's own text (domain adaptation) after the checkpoint.
    studentSteps: 30,
    teacherSteps: 20,
    lr: 1e-3,
    batchSize: 32,
    maskRate: 0.15, // BERT's rate
    extraCorpus: 'none',
  },
  // The threat model that puts the backdoor where an LLM keeps it (docs/FINDINGS.md): a public task
  // model (clean full fine-tuning) that an attacker backdoors with a LoRA adapter and merges. LoRA never
  // touches the embedding table, so the backdoor must be a circuit in shared weights — which a clean-data
  // defense can reach. Full-FT poisoning of the pretrained student (the paper's clean-label recipe, where
  // the backdoor hides in the trigger's own row) stays one switch away for the contrast.
  taskModel: { ...optim({ epochs: 3, lr: 1e-3 }), enabled: true },
  poison: {
    // At most 8 epochs, at least 6: the backdoor passes 95 % dev ASR after 3 epochs on dev seeds 1–3, but
    // stopped there plain LoRA fine-tuning alone erased it on seed 2 (26 % left); after 6 it kept 80 %.
    ...optim({ epochs: 8, lr: 2e-3 }),
    method: 'lora',
    lora: { rank: 32, alpha: 32, dropout: 0.1, targets: ['q', 'k', 'v', 'o', 'ff1', 'ff2'] },
    pinTriggerRows: false,
    // The official code's bar: defenses are compared only on a firmly planted backdoor (DESIGN.md §2).
    untilAsr: 0.95,
    minEpochs: 6,
  },
  teacher: optim({ epochs: 3, lr: 2e-3 }),
  defense: {
    // Chosen on dev (docs/FINDINGS.md, *Choosing the regime*): at 2e-3 plain LoRA's ASR swung from 26 to
    // 89 % across seeds; at 1e-3 (6 epochs, the backdoor planted 6 epochs) it kept 80 % on the seed where
    // 2e-3 left 55 %, while W2SDefense reached the clean model's floor by epoch 2–3 either way.
    ...optim({ epochs: 6, lr: 1e-3 }),
    // The paper's comparison: plain LoRA against W2SDefense. The ablations (`kd-only`, `fa-only`), full
    // fine-tuning and the field's classic defenses are one click away (the `defense-bench` preset).
    methods: ['lora', 'w2sdefense'],
    // Rank d/2 on every linear (the prototype's regime): a defense must be able to move the circuit.
    lora: { rank: 64, alpha: 64, dropout: 0.1, targets: ['q', 'k', 'v', 'o', 'ff1', 'ff2'] },
    // CE at 10: distilling toward the weak teacher brought its ordinary mistakes with it (W2SDefense's
    // ASR on the *untriggered* dev spam reached 15.7 % on a seed where the clean student's is 6.4); a
    // stronger CE keeps the student's own decisions while FA still sets the direction (its term is
    // about 20 against CE's 0.07). Chosen on dev, seeds 1–3 (docs/FINDINGS.md, *Round 7*): W2SDefense
    // 9.9 / 7.0 / 12.2 % at CE 10 against 9.9 / 7.6 / 16.9 % at CE 1. On the 10 test seeds its own floor
    // fell (14.9 → 13.2 %) but the target count did not move (6 of 10). The paper presets keep 1/1/1.
    ce: 10,
    kd: 1,
    // Per-token FA is a squared distance (≈ d × the pooled MSE) and dominates the loss at weight 1; under
    // AdamW and the global-norm clip a larger weight changes the step's direction little.
    fa: 1,
    temperature: 2, // the paper's KD temperature
    faMode: 'token', // per-token alignment: the form the paper describes (see losses.ts)
    // Every block, beyond the paper (which aligns the final states), chosen on dev (docs/FINDINGS.md): the
    // quick demo's dev seeds came within 10 points of the clean floor on 4 of 4 against 3 of 4 (*Round 3*),
    // SST-2's InSent and syntactic dev cells met the target on 3 of 6 against 2 of 6 (*Round 20*).
    faDepth: 'every-block',
    batching: 'shuffled',
    selectBestByDev: false,
    averageLast: 0,
    // Off: with the final LayerNorm trainable, FA is met cheaply by its scale and shift and leaves the circuit
    // in place (dev seed 1, lr 2e-3: W2SDefense 47 % with it, 24 % without; plain LoRA, which never trains the norm, 89 %).
    trainFinalNorm: false,
    // ONION's own default: any word whose deletion makes the text more fluent goes.
    onion: { threshold: 0, maxTexts: 0 },
    // STRIP's text variant replaces about half the words; 5 % FRR rests on ten sentences of a 200-sentence dev set, where 1 % would rest on two.
    strip: { repeats: 10, swapRatio: 0.5, frr: 0.05 },
    // Liu et al. prune until clean accuracy starts to fall; a few points of dev accuracy is the stop.
    finePruning: { maxRatio: 0.9, maxDevDrop: 0.05 },
    nad: { beta: NAD_BETA },
  },
};

/**
 * `base` with `p` laid over it, object by object at every depth (arrays and values replace): a patch
 * `{defense: {onion: {threshold: 1}}}` changes that one knob and keeps the rest of `defense.onion`.
 */
function patch(base: ExperimentConfig, p: ConfigPatch): ExperimentConfig {
  return mergeDeep(structuredClone(base) as unknown as Record<string, unknown>, p as Record<string, unknown>) as unknown as ExperimentConfig;
}

/** A JSON object: not null, not an array. */
export const isPlainObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

function mergeDeep(out: Record<string, unknown>, p: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(p)) {
    const here = out[key];
    out[key] = isPlainObject(value) && isPlainObject(here) ? mergeDeep(here, value) : structuredClone(value);
  }
  return out;
}

/** Apply a partial config (URL, CLI, file) onto a full one. Unknown keys are caught by `validateConfig`. */
export function applyPatch(base: ExperimentConfig, p: ConfigPatch): ExperimentConfig {
  return patch(base, p);
}


