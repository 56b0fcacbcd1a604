import { describe, expect, it } from 'vitest';
import { DEFENSE_IDS } from './defenses/catalog';
import { defenseOfStage, defenseStage, isStageName, pretrainPlan, stagesOf } from './stages';

describe('stages', () => {
  it('names a defense stage and reads the defense back, for every defense of the catalog', () => {
    for (const id of DEFENSE_IDS) expect(defenseOfStage(defenseStage(id))).toBe(id);
    expect(defenseOfStage('poison')).toBeNull();
    expect(defenseOfStage('defense:nonsense')).toBeNull();
  });

  it('knows the stage names and nothing else', () => {
    expect(['pretrain', 'task', 'poison', 'teacher', 'defense:lora'].every(isStageName)).toBe(true);
    expect(['defense:', 'Poison', 'defense:lora ', 'probe'].some(isStageName)).toBe(false);
  });

  it('lists a run in order, the task stage only with a public task model', () => {
    expect(stagesOf(['lora', 'w2sdefense'], true)).toEqual(['pretrain', 'task', 'poison', 'teacher', 'defense:lora', 'defense:w2sdefense']);
    expect(stagesOf([], false)).toEqual(['pretrain', 'poison', 'teacher']);
  });

  it('shows a masked-LM phase as at most five epochs that cover every step', () => {
    for (const steps of [1, 3, 5, 7, 30, 400]) {
      const { epochs, stepsPerEpoch } = pretrainPlan(steps);
      expect(epochs).toBeLessThanOrEqual(5);
      expect(epochs * stepsPerEpoch).toBeGreaterThanOrEqual(steps);
      expect((epochs - 1) * stepsPerEpoch).toBeLessThan(steps); // no empty epoch
    }
    expect(pretrainPlan(7)).toEqual({ epochs: 4, stepsPerEpoch: 2 });
    expect(pretrainPlan(0)).toEqual({ epochs: 0, stepsPerEpoch: 0 });
  });
});
