/**
 * The stage keys name what each stage's weights depend on: a teacher setting leaves the attacker's chain
 * (language model, task model, poisoned model) to be reused; a student setting retrains all of it.
 */
import { describe, expect, it } from 'vitest';
import { applyPatch, DEFAULT_CONFIG, type ConfigPatch } from './config';
import { stageKeys, type StageKeys, type StartingPoints } from './stage-keys';

const data = { fingerprint: 'f00d', evalFingerprint: 'e1', room: 30 };
const start: StartingPoints = { student: 'student-sha', teacher: 'teacher-sha' };
const base = stageKeys(DEFAULT_CONFIG, data, start);

/** Which stages' keys differ from the default config's. */
function changed(patch: ConfigPatch, points: StartingPoints = start, keyed = data): (keyof StageKeys)[] {
  const keys = stageKeys(applyPatch(DEFAULT_CONFIG, patch), keyed, points);
  return (Object.keys(base) as (keyof StageKeys)[]).filter((stage) => keys[stage] !== base[stage]);
}

const STUDENT_CHAIN: (keyof StageKeys)[] = ['pretrain', 'task', 'poison'];
const TEACHER: (keyof StageKeys)[] = ['teacherPretrain', 'teacher'];

describe('stageKeys', () => {
  it('gives every stage its own key, named by the stage', () => {
    expect(new Set(Object.values(base)).size).toBe(5);
    expect(base.pretrain).toMatch(/^pretrain-student-[0-9a-f]{8}$/);
    expect(base.teacher).toMatch(/^teacher-[0-9a-f]{8}$/);
  });

  it.each<[string, ConfigPatch]>([
    ['the teacher’s masked-LM steps', { pretrain: { teacherSteps: DEFAULT_CONFIG.pretrain.teacherSteps + 7 } }],
    // Twice the default's width, whatever the default is: a fixed size once became the default and tested nothing.
    ['the teacher’s size', { models: { teacher: { ...DEFAULT_CONFIG.models.teacher, dModel: 2 * DEFAULT_CONFIG.models.teacher.dModel } } }],
  ])('%s retrain the teacher only, never the attacker’s models', (_what, patch) => {
    expect(changed(patch)).toEqual(TEACHER);
  });

  it('the teacher’s fine-tuning retrains only its last stage', () => {
    expect(changed({ teacher: { epochs: DEFAULT_CONFIG.teacher.epochs + 1 } })).toEqual(['teacher']);
  });

  it('another teacher checkpoint retrains the teacher only', () => {
    expect(changed({}, { ...start, teacher: 'other-sha' })).toEqual(TEACHER);
  });

  it.each<[string, ConfigPatch]>([
    ['the student’s masked-LM steps', { pretrain: { studentSteps: DEFAULT_CONFIG.pretrain.studentSteps + 7 } }],
    ['the task model’s epochs', { taskModel: { epochs: DEFAULT_CONFIG.taskModel.epochs + 1 } }],
  ])('%s retrain the student’s chain and leave the teacher', (what, patch) => {
    const stages = changed(patch);
    expect(stages).toEqual(what.includes('task') ? ['task', 'poison'] : STUDENT_CHAIN);
  });

  it('the attack retrains the poisoned model only', () => {
    expect(changed({ attack: { trigger: 'zq' } })).toEqual(['poison']);
  });

  it('dropout, which every training step draws, retrains everything', () => {
    expect(changed({ models: { dropout: 0.2 } })).toEqual([...STUDENT_CHAIN, ...TEACHER]);
  });

  it('settings both models share (the masked-LM learning rate, the seed, the data) retrain both', () => {
    expect(changed({ pretrain: { lr: 5e-4 } })).toEqual(['pretrain', 'task', 'poison', 'teacherPretrain', 'teacher']);
    expect(changed({ seed: DEFAULT_CONFIG.seed + 1 })).toEqual(['task', 'poison', 'teacher']);
    expect(changed({}, start, { ...data, fingerprint: 'beef' })).toEqual([...STUDENT_CHAIN, ...TEACHER]);
  });

  it('without a public task model the attacker’s key follows the language model', () => {
    const keys = stageKeys(applyPatch(DEFAULT_CONFIG, { taskModel: { enabled: false } }), data, start);
    expect(keys.task).toBeNull();
    expect(keys.poison).not.toBe(base.poison);
    expect(keys.pretrain).toBe(base.pretrain);
  });
});
