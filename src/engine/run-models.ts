/**
 * The run's student and teacher, shaped by its config: built in one place, so a defense lane
 * (lane-engine.ts) makes exactly the models the pipeline makes.
 */
import type { ExperimentConfig } from './config';
import { StudentModel } from './models/student';
import { TeacherModel } from './models/teacher';
import type { Rng } from './rng';

export function newStudentFor(cfg: ExperimentConfig, vocabSize: number, numLabels: number, stream: Rng): StudentModel {
  return new StudentModel(cfg.models.student, vocabSize, cfg.data.maxLength, numLabels, cfg.models.dropout, stream);
}

/** The teacher projects its feature up to the student's width (the paper's Linear→ReLU). */
export function newTeacherFor(cfg: ExperimentConfig, vocabSize: number, numLabels: number, stream: Rng): TeacherModel {
  return new TeacherModel(cfg.models.teacher, vocabSize, cfg.data.maxLength, numLabels, cfg.models.student.dModel, cfg.models.dropout, stream);
}
