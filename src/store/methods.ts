/**
 * The methods a run compares (the rows of the results table, the lines of the charts) and the stage
 * each one comes from. `pretrain` produces no classifier, so it has no method.
 */
import { DEFENSE_METHODS, type DefenseMethod } from '../engine/config';
import { DEFENSES } from '../engine/defenses/catalog';
import type { StageName } from '../engine/events';
import { defenseOfStage } from '../engine/stages';

export type Method = 'task-model' | 'poisoned' | 'teacher' | DefenseMethod;

/**
 * Table and legend order: the clean public task model (when the run has one), the attack, the weak
 * teacher, then the defenses in the catalog's order (repairs, then filters).
 */
export const METHODS: readonly Method[] = ['task-model', 'poisoned', 'teacher', ...DEFENSE_METHODS];

export function methodOfStage(stage: StageName): Method | null {
  switch (stage) {
    case 'pretrain':
      return null;
    case 'task':
      return 'task-model';
    case 'poison':
      return 'poisoned';
    case 'teacher':
      return 'teacher';
    default: {
      const defense = defenseOfStage(stage);
      if (!defense) throw new Error(`unknown defense stage "${stage}"`);
      return defense;
    }
  }
}

export function isDefense(method: Method): method is DefenseMethod {
  return method !== 'task-model' && method !== 'poisoned' && method !== 'teacher';
}

/** A defense that screens inputs (ONION, STRIP) rather than repairing the model. */
export function isFilterMethod(method: Method): method is DefenseMethod {
  return isDefense(method) && DEFENSES[method].kind === 'filter';
}
