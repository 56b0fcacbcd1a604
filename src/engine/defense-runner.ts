/**
 * Runs one defense of the catalog on a poisoned student: builds its `DefenseContext` and calls its
 * procedure. The pipeline has one for the engine it runs in; a defense lane (defense-lanes.ts) builds
 * another in a second engine from the same inputs, so a defense gives the same numbers in either.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentConfig } from './config';
import type { NamedWeights } from './models/encoder';
import type { StudentModel } from './models/student';
import type { TeacherModel } from './models/teacher';
import type { PreparedData } from './prepared-data';
import type { Rng } from './rng';
import type { StageContext } from './train/context';
import { inferAll } from './train/evaluate';
import type { TeacherTargets } from './train/defense-loss';
import { basisIn, type DefenseId } from './defenses/catalog';
import type { DefenseContext, DefenseOutcome } from './defenses/procedure';
import type { Screened } from './defenses/input-filter';
import type { ScreenHelpers } from './defenses/shared-screening';
import { PROCEDURES } from './defenses/registry';
import { defenseStage } from './stages';

/**
 * Pretrained language models are public checkpoints, not part of an experiment's randomness: the
 * paper's seeds vary poisoning and fine-tuning on one pretrained LLaMA. So pretraining (init and MLM)
 * uses this fixed seed and its cache key leaves the run's seed out — every seed and attack of a
 * dataset reuses one pretrained student and teacher.
 */
export const PRETRAIN_SEED = 20250101;

export interface DefenseInputs {
  cfg: ExperimentConfig;
  data: PreparedData;
  ctx: StageContext;
  /** The run's stream, made from its seed; each defense forks its own from it by stage name. */
  rng: Rng;
  /** The poisoned student, never trained here; `poisonedWeights` are its weights. */
  poisoned: StudentModel;
  poisonedWeights: NamedWeights;
  /** The trained weak teacher (frozen). */
  teacher: TeacherModel;
  /** A new student of the run's size, initialised from `stream`. */
  newStudent(stream: Rng): StudentModel;
  /** The clean pretrained masked LM, for the defenses that ask (ONION); absent where it was not sent. */
  pretrainedLm?: () => StudentModel;
}

/**
 * The clean pretrained LM (ONION's), made on first use from `weights`, alike in the pipeline and in a lane.
 * `made` receives it before its weights are set, to own and dispose it.
 */
export function lazyPretrainedLm(weights: NamedWeights, make: () => StudentModel, made: (lm: StudentModel) => void): () => StudentModel {
  let lm: StudentModel | undefined;
  return () => {
    if (!lm) {
      lm = make();
      made(lm);
      lm.setWeights(weights);
    }
    return lm;
  };
}

export class DefenseRunner {
  /** Made once, on first use: the weak teacher's targets (constants: the teacher is frozen). */
  private teacherTargets: TeacherTargets | undefined;
  /** Repaired models another repair of the run builds on (`buildsOn`), kept until it has run here. */
  private readonly kept = new Map<DefenseId, NamedWeights>();

  constructor(private readonly inputs: DefenseInputs) {}

  /**
   * `signal`, when given, replaces the context's: the scheduler stops every defense with one. `helpers`
   * and `prescreened` reach only a procedure whose filter a lane can rebuild (`laneFilter`).
   */
  async run(method: DefenseId, signal?: AbortSignal, helpers?: ScreenHelpers, prescreened?: ReadonlyMap<string, Screened>): Promise<DefenseOutcome> {
    const procedure = PROCEDURES[method];
    const shared = procedure.laneFilter ? { ...(helpers ? { screenHelpers: helpers } : {}), ...(prescreened ? { prescreened } : {}) } : {};
    const context = this.context(method, signal);
    const outcome = await procedure.run({ ...context, ...shared });
    if (context.basis) this.kept.delete(context.basis.method);
    const methods = this.inputs.cfg.defense.methods;
    if (outcome.kind === 'repair' && methods.some((m) => basisIn(m, methods) === method)) this.kept.set(method, await outcome.model.readWeights());
    return outcome;
  }

  private context(method: DefenseId, signal?: AbortSignal): DefenseContext {
    const { cfg, data, rng, poisoned, poisonedWeights, newStudent, pretrainedLm } = this.inputs;
    const ctx = signal ? { ...this.inputs.ctx, signal } : this.inputs.ctx;
    const stage = defenseStage(method);
    const basis = basisIn(method, cfg.defense.methods);
    const weights = basis === undefined ? undefined : this.kept.get(basis);
    // The scheduler runs a repair after the one it builds on, on the same engine (defense-lanes.ts).
    if (basis !== undefined && !weights) throw new Error(`${method} builds on the ${basis} repair of this run, which this engine has not run`);
    return {
      ...(basis !== undefined && weights ? { basis: { method: basis, weights } } : {}),
      id: method,
      stage,
      cfg,
      data,
      ctx,
      rng: rng.fork(stage),
      poisoned,
      poisonedCopy: (label) => {
        const copy = newStudent(rng.fork(`${stage}-${label}`));
        copy.setWeights(poisonedWeights);
        return copy;
      },
      weakTeacher: () => (this.teacherTargets ??= inferAll(this.inputs.teacher, data.defenderClean.ids)),
      pretrainedLm: () => {
        if (!pretrainedLm) throw new Error(`${method} needs the clean pretrained language model, which this engine was not given`);
        return pretrainedLm();
      },
    };
  }

  dispose(): void {
    if (this.teacherTargets) tf.dispose([this.teacherTargets.logits, this.teacherTargets.feature]);
    this.teacherTargets = undefined;
    this.kept.clear();
  }
}
