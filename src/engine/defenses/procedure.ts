/**
 * What a defense's procedure is given and what it hands back. The pipeline builds one `DefenseContext`
 * per defense stage; a repair returns the model it made, a filter the screen it puts in front of the
 * unchanged poisoned student.
 */
import type { ExperimentConfig } from '../config';
import type { StageName, StageResult } from '../events';
import type { NamedWeights } from '../models/encoder';
import type { StudentModel } from '../models/student';
import type { PreparedData } from '../prepared-data';
import type { Rng } from '../rng';
import type { StageContext } from '../train/context';
import type { TeacherTargets } from '../train/defense-loss';
import type { DefenseId } from './catalog';
import type { InputFilter, Screened } from './input-filter';
import type { ScreenHelpers } from './shared-screening';

export interface DefenseContext {
  readonly id: DefenseId;
  /** `defense:<id>`: what its events and results are filed under. */
  readonly stage: StageName;
  readonly cfg: ExperimentConfig;
  readonly data: PreparedData;
  readonly ctx: StageContext;
  /** This defense's own random stream. */
  readonly rng: Rng;
  /** The poisoned student itself: filters read it, nothing may train it. */
  readonly poisoned: StudentModel;
  /** A new student holding the poisoned weights, the caller's to keep or dispose. */
  poisonedCopy(label: string): StudentModel;
  /** The weak teacher's logits and projected features on the defender's data: constants, made once per run. */
  weakTeacher(): TeacherTargets;
  /** The clean pretrained masked LM (the student before the task model and the attack), made once per run. */
  pretrainedLm(): StudentModel;
  /** Lanes with no repair left, lent to a filter whose procedure has `laneFilter` (see shared-screening.ts). */
  readonly screenHelpers?: ScreenHelpers;
  /**
   * The model of the repair this one builds on (catalog `buildsOn`), made earlier in this run on this
   * engine; absent when the run does not have that repair.
   */
  readonly basis?: { method: DefenseId; weights: NamedWeights };
  /** Verdicts such a filter's texts already have, screened by lanes while the attacker's stages trained (early-screening.ts). */
  readonly prescreened?: ReadonlyMap<string, Screened>;
}

/** What a filter that shares its screening is built from: no attacked model, so a lane can build it before one exists. */
export type ScreeningContext = Pick<DefenseContext, 'cfg' | 'data' | 'pretrainedLm'>;

export type DefenseOutcome =
  | { kind: 'repair'; result: StageResult; model: StudentModel }
  | { kind: 'filter'; result: StageResult; filter: InputFilter };

export interface DefenseProcedure {
  run(c: DefenseContext): Promise<DefenseOutcome>;
  /**
   * A filter another engine builds from its own context and that gives each text the verdict `run`'s
   * filter gives it: then idle lanes share its screening. Only where screening dominates (ONION); a
   * filter calibrated inside `run` (STRIP's threshold) would have to calibrate again in every lane.
   */
  laneFilter?(c: ScreeningContext): InputFilter;
  /**
   * The texts `run` will screen, each once, from the defense's own stream (`rng`): with `laneFilter`, what
   * lanes can screen while the attacker's stages still train.
   */
  screenedTexts?(c: Pick<DefenseContext, 'cfg' | 'data' | 'rng'>): string[];
}
