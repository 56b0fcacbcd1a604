/**
 * The methods a run compares (the rows of the results table, the lines of the charts) and the stage
 * each one comes from. `pretrain` produces no classifier, so it has no method.
 */
import { DEFENSE_METHODS, type DefenseMethod } from '../engine/config';
import type { StageName } from '../engine/events';

export type Method = 'poisoned' | 'teacher' | DefenseMethod;

/** Table and legend order: the attack, the weak teacher, then the defenses as the config lists them. */
export const METHODS: readonly Method[] = ['poisoned', 'teacher', ...DEFENSE_METHODS];

export function methodOfStage(stage: StageName): Method | null {
  switch (stage) {
    case 'pretrain':
      return null;
    case 'poison':
      return 'poisoned';
    case 'teacher':
      return 'teacher';
    default:
      return defenseOfStage(stage);
  }
}

export function stageOfMethod(method: Method): StageName {
  if (method === 'poisoned') return 'poison';
  if (method === 'teacher') return 'teacher';
  return `defense:${method}`;
}

function defenseOfStage(stage: `defense:${DefenseMethod}`): DefenseMethod {
  const name = stage.slice('defense:'.length);
  const method = DEFENSE_METHODS.find((m) => m === name);
  if (!method) throw new Error(`unknown defense stage "${stage}"`);
  return method;
}

export function isDefense(method: Method): method is DefenseMethod {
  return method !== 'poisoned' && method !== 'teacher';
}

/** The stages a run with these defenses goes through, in pipeline order. */
export function stagesFor(defenses: readonly DefenseMethod[]): StageName[] {
  return ['pretrain', 'poison', 'teacher', ...defenses.map((m): StageName => `defense:${m}`)];
}
