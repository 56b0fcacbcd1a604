/**
 * The typed events a run emits. The engine produces them, the worker forwards them, the store reduces
 * them and the CLI writes them as JSONL: one stream, four consumers. Only numbers and strings cross the
 * worker boundary, never tensors.
 */
import type { DataRecord } from './data/record';
import type { ExperimentConfig, DefenseMethod } from './config';
import type { TriggerReport } from './attacks/trigger-tokens';

/**
 * Every stage a pipeline can run, in pipeline order. `pretrain` covers both language models; `task` is the
 * public task model (clean full fine-tuning), run only when `taskModel.enabled`.
 */
export type StageName = 'pretrain' | 'task' | 'poison' | 'teacher' | `defense:${DefenseMethod}`;

export interface Metrics {
  /** Clean accuracy on the clean test set, a fraction in [0, 1]. */
  ca: number;
  /** Attack success rate on the triggered non-target test set, a fraction in [0, 1]. */
  asr: number;
  /**
   * The floor under the ASR: the same non-target test sentences *without* the trigger, predicted as the
   * target. ASR counts ordinary mistakes too; only `asr − asrBase` is the trigger's doing.
   */
  asrBase: number;
}

/** The defense objective's terms at the end of an epoch, unweighted, on a fixed slice of the defender's data. */
export interface LossTerms {
  ce: number;
  kd: number;
  fa: number;
}

export interface EpochRecord extends Partial<Metrics> {
  epoch: number;
  /** Mean training loss over the epoch. */
  loss: number;
  /** Dev accuracy, used to pick the best epoch where the config asks for it. */
  devAcc?: number;
  /**
   * Poisoning only: the ASR on the triggered non-target dev sentences, the attacker's own check that decides
   * when poisoning stops (`poison.untilAsr`). Stored per epoch so a cached stage can rebuild `RunResults.attack`.
   */
  devAsr?: number;
  /** Defense stages that use the teacher: each term's magnitude, so a class sees which one moves. */
  terms?: LossTerms;
}

/** What an input filter did on the test sets (see defenses/input-filter.ts). */
export interface FilterOutcome {
  /** Share of clean test inputs the filter flagged (ONION: changed; STRIP: rejected). */
  falseRejection: number;
  /** Share of triggered test inputs the filter flagged. */
  detection: number;
  /** Clean and triggered test inputs screened (ONION may screen a stratified share, see `defense.onion.maxTexts`). */
  clean: number;
  triggered: number;
  /** The threshold the filter used (ONION: the knob; STRIP: set on dev for the target FRR). */
  threshold: number;
  /** The poisoned student's own metrics on the same inputs, unscreened: what the filter changed. */
  unfiltered: Metrics;
}

export interface StageResult {
  epochs: EpochRecord[];
  /** Metrics of the model the stage hands on (the last epoch's, the best by dev accuracy, or the mean of the last epochs' weights). */
  final: Metrics | null;
  seconds: number;
  samplesPerSecond: number;
  /** True when the stage's model came from the cache and no training ran. */
  cached?: boolean;
  /** True when that model was the attacker's published one (see models/published.ts); `cached` is set too. */
  published?: boolean;
  /** Input filters only: how the screen did (their `final` is measured after it). */
  filter?: FilterOutcome;
  /** Fine-pruning only: the share of the last block's FFN neurons pruned. */
  prunedRatio?: number;
}

/** The poisoned model with one part put back as it was before poisoning (see metrics/backdoor-location.ts). */
export interface LocationProbe extends Metrics {
  /** What was put back, for people: `trigger rows`, `block 1`, `head`. */
  part: string;
}

/**
 * Whether the attacker planted the backdoor (see attacks/planted.ts). `threshold` is `poison.untilAsr`, or
 * the official code's 0.95 when `untilAsr` is 0 (fixed epochs): a backdoor below it is a weak one either way.
 */
export interface AttackRecord {
  /** `devAsr ≥ threshold`. */
  planted: boolean;
  /** Dev ASR after the last poisoning epoch. */
  devAsr: number;
  /** Poisoning epochs run (at most `poison.epochs`: poisoning stops once planted). */
  epochs: number;
  threshold: number;
}

/** The floors under every ASR of a run, known once the public task model is trained. */
export interface Floors {
  /**
   * The clean public task model's ASR on the same triggered sentences: what the trigger does to a model that
   * never saw poison (a trigger sentence can move a clean model by itself). Null without a task model
   * (`taskModel.enabled` false): no clean classifier exists in that run to ask.
   */
  cleanModelAsr: number | null;
  /** Triggered sentences every ASR is measured on: each non-target sentence of the whole test split. */
  triggered: number;
  /** Clean test sentences CA is measured on (capped by `data.maxTest`). */
  cleanTest: number;
}

export interface RunResults {
  backend: string;
  config: ExperimentConfig;
  stages: Partial<Record<StageName, StageResult>>;
  /** Where the backdoor lives: the poisoned model's metrics with each part reset in turn. */
  backdoorLocation?: LocationProbe[];
  /** `dev` when the run measured CA/ASR on the dev split (choosing settings) instead of test. */
  evalSplit?: 'dev';
  /** What the run actually read (source, sizes, hashes): `config.data.source` alone can be overridden, e.g. by `--data DIR`. */
  data?: DataRecord;
  /** Whether the backdoor was planted; absent in results saved before it was recorded. */
  attack?: AttackRecord;
  /** The ASR floors of this run; absent in results saved before they were recorded. */
  floors?: Floors;
  /**
   * How the run's tokenizer read the trigger: its pieces, and in how many clean training texts each
   * occurs (a trigger spelled in pieces clean text shares makes a different backdoor). Absent in results
   * saved before it was recorded.
   */
  trigger?: TriggerReport;
}

export type LabEvent =
  | { type: 'ready'; backend: string; skipped?: { backend: string; reason: string }[] }
  | { type: 'stage-start'; stage: StageName; epochs: number; stepsPerEpoch: number; phase?: string }
  | {
      type: 'step';
      stage: StageName;
      /** Sub-phase inside a stage, e.g. `student` / `teacher` for `pretrain`. */
      phase?: string;
      epoch: number;
      step: number;
      stepsPerEpoch: number;
      /** The batch loss; NaN where the stage trains nothing (an input filter screening a test set). */
      loss: number;
      samplesPerSecond: number;
    }
  | ({ type: 'epoch'; stage: StageName; phase?: string } & EpochRecord)
  | { type: 'stage-end'; stage: StageName; result: StageResult }
  | { type: 'log'; level: 'info' | 'warn'; message: string }
  /** After the public task model's stage (or where it would be): the floors the ASR chart draws. */
  | { type: 'floors'; floors: Floors }
  /** After poisoning: whether the backdoor is in, and whether the defense stages are skipped because it is not. */
  | { type: 'attack'; attack: AttackRecord; defensesSkipped: boolean }
  | { type: 'error'; message: string; stage?: StageName }
  | { type: 'done'; results: RunResults };

export type Emit = (event: LabEvent) => void;
