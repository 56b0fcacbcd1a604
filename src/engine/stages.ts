/**
 * The stages of a run, in order, and what a stage's name says: the one place that knows a defense's
 * stage is `defense:<id>` and how a masked-LM phase is shown as epochs.
 */
import { DEFENSE_IDS, type DefenseId } from './defenses/catalog';
import type { StageName } from './events';

/** The stages that make models before any defense, in run order (`task` only when the config has a public task model). */
const MODEL_STAGES = ['pretrain', 'task', 'poison', 'teacher'] as const;

/** The stage that runs defense `id`. */
export const defenseStage = (id: DefenseId): StageName => `defense:${id}`;

/** The defense a stage runs; null for the model stages. */
export function defenseOfStage(stage: string): DefenseId | null {
  if (!stage.startsWith('defense:')) return null;
  const id = stage.slice('defense:'.length);
  return DEFENSE_IDS.find((d) => d === id) ?? null;
}

export function isStageName(name: string): name is StageName {
  return (MODEL_STAGES as readonly string[]).includes(name) || defenseOfStage(name) !== null;
}

/** A run's stages in order: the model stages, then one per defense. */
export function stagesOf(defenses: readonly DefenseId[], taskModel: boolean): StageName[] {
  return [...MODEL_STAGES.filter((s) => s !== 'task' || taskModel), ...defenses.map(defenseStage)];
}

/**
 * A masked-LM phase of `steps` steps, shown as up to five "epochs" so its progress reads like a
 * fine-tuning stage's; the last may be shorter, none is empty (7 steps: 2, 2, 2, 1).
 */
export function pretrainPlan(steps: number): { epochs: number; stepsPerEpoch: number } {
  if (steps <= 0) return { epochs: 0, stepsPerEpoch: 0 };
  const stepsPerEpoch = Math.ceil(steps / 5);
  return { epochs: Math.ceil(steps / stepsPerEpoch), stepsPerEpoch };
}
