/**
 * The cache key of each model stage: a hash of what the stage's weights depend on, and of nothing else.
 * The student's chain (its language model, the public task model, the poisoned model) never names a
 * teacher setting, so changing the teacher — its size, its masked-LM steps, its fine-tuning — reuses the
 * attacker's models instead of training them again (a sweep over teacher settings trains only teachers
 * and defenses). The stages draw their randomness from named forks (`Rng.fork`), so leaving the other
 * model's settings out of a key cannot make two different trainings share it.
 */
import type { ExperimentConfig } from './config';
import { cacheKey } from './hash';

/** What the keys need of the prepared data (see `PreparedData`). */
export interface KeyedData {
  fingerprint: string;
  evalFingerprint: string;
  room: number;
}

/** SHA-256 of the shipped checkpoint each model starts from, or null when it starts from random weights. */
export interface StartingPoints {
  student: string | null;
  teacher: string | null;
}

export interface StageKeys {
  /** The student's language model. */
  pretrain: string;
  /** The public task model; null when the config has none (the attacker poisons the language model). */
  task: string | null;
  poison: string;
  /** The teacher's language model (its checkpoint plus its own masked-LM steps). */
  teacherPretrain: string;
  teacher: string;
}

export function stageKeys(cfg: ExperimentConfig, data: KeyedData, start: StartingPoints): StageKeys {
  const { studentSteps, teacherSteps, ...shared } = cfg.pretrain;
  // Dropout is drawn in every training step of the student's chain, pretraining included.
  const student = { ...cfg.models.student, dropout: cfg.models.dropout };
  const pretrain = cacheKey('pretrain-student', data.fingerprint, student, { ...shared, studentSteps }, start.student);
  const task = cfg.taskModel.enabled ? cacheKey('task', pretrain, cfg.taskModel, cfg.data, cfg.seed, data.room, data.evalFingerprint) : null;
  const poison = cacheKey('poison', task ?? pretrain, cfg.attack, cfg.poison, cfg.data, cfg.seed, data.evalFingerprint);
  // The teacher's projection is as wide as the student (the paper's Linear→ReLU up to the student's
  // width), so the teacher's keys name both sizes.
  const teacherPretrain = cacheKey('pretrain-teacher', data.fingerprint, cfg.models, { ...shared, teacherSteps }, start.teacher);
  // The defender's texts are clipped with room for the trigger, so the trigger's length is part of the key.
  const teacher = cacheKey('teacher', teacherPretrain, cfg.teacher, cfg.data, cfg.seed, data.room, data.evalFingerprint);
  return { pretrain, task, poison, teacherPretrain, teacher };
}
