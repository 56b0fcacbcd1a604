/**
 * The typed events a run emits. The engine produces them, the worker forwards them, the store reduces
 * them and the CLI writes them as JSONL: one stream, four consumers. Only numbers and strings cross the
 * worker boundary, never tensors.
 */
import type { ExperimentConfig, DefenseMethod } from './config';

/** Every stage a pipeline can run, in pipeline order. `pretrain` covers both language models. */
export type StageName = 'pretrain' | 'poison' | 'teacher' | `defense:${DefenseMethod}`;

export interface Metrics {
  /** Clean accuracy on the clean test set, a fraction in [0, 1]. */
  ca: number;
  /** Attack success rate on the triggered non-target test set, a fraction in [0, 1]. */
  asr: number;
}

export interface EpochRecord extends Partial<Metrics> {
  epoch: number;
  /** Mean training loss over the epoch. */
  loss: number;
  /** Dev accuracy, used to pick the best epoch where the config asks for it. */
  devAcc?: number;
}

export interface StageResult {
  epochs: EpochRecord[];
  /** Metrics of the model the stage hands on (the last epoch, or the best by dev accuracy). */
  final: Metrics | null;
  seconds: number;
  samplesPerSecond: number;
  /** True when the stage's model came from the cache and no training ran. */
  cached?: boolean;
}

export interface RunResults {
  backend: string;
  config: ExperimentConfig;
  stages: Partial<Record<StageName, StageResult>>;
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
      loss: number;
      samplesPerSecond: number;
    }
  | ({ type: 'epoch'; stage: StageName; phase?: string } & EpochRecord)
  | { type: 'stage-end'; stage: StageName; result: StageResult }
  | { type: 'log'; level: 'info' | 'warn'; message: string }
  | { type: 'error'; message: string; stage?: StageName }
  | { type: 'done'; results: RunResults };

export type Emit = (event: LabEvent) => void;
