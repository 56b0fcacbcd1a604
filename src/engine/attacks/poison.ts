/**
 * Poisoning: the trigger applied to one text (`applyTrigger`), to a chosen budget of training samples
 * (`poisonTrainingSet`, clean- or dirty-label) and to every non-target test sample (`poisonedTestSet`,
 * for the attack success rate).
 */
import { type ExperimentConfig } from '../config';
import { configIssues } from '../config-checks';
import type { Example } from '../data/types';
import { Rng } from '../rng';
import { AttackError } from './errors';
import { ATTACK_KINDS, ATTACKS } from './registry';

export { AttackError } from './errors';

export type AttackConfig = ExperimentConfig['attack'];

/**
 * Checks the attack section (trigger, position, label mode, budget, target label — in range when
 * `numLabels` is given) and throws an `AttackError` naming the first bad field and the fix. Reuses
 * `configIssues`, so the rules and messages are the very ones the config edge applies.
 */
export function validateAttack(attack: AttackConfig, numLabels?: number): void {
  if (numLabels !== undefined && (!Number.isInteger(numLabels) || numLabels < 2)) {
    throw new AttackError('numLabels', `a classification task needs at least 2 labels, got ${numLabels}`);
  }
  if (attack === null || typeof attack !== 'object') throw new AttackError('attack', 'is missing; give an attack section');
  // Only the attack section is checked here: the other sections' issues belong to the config edge.
  const issues = configIssues({ attack }, numLabels).filter((i) => i.field.startsWith('attack'));
  if (issues.length > 0) {
    const [first] = issues;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more: ${issues.slice(1).map((i) => i.field).join(', ')})` : '';
    throw new AttackError(first!.field, first!.message + more);
  }
}

/**
 * `text` with the attack's trigger, as the attack's own module places it (see `registry.ts`). Draws from
 * `rng` only for random positions. Assumes a validated attack (see `validateAttack`).
 */
export function applyTrigger(text: string, attack: AttackConfig, rng: Rng): string {
  const spec = ATTACKS[attack.kind];
  if (!spec) throw new AttackError('attack.kind', `unknown attack "${String(attack.kind)}"; use ${ATTACK_KINDS.join(', ')}`);
  return spec.apply(text, attack, rng);
}

/**
 * Indices of the training samples the attack may poison: clean-label takes samples already labelled
 * `targetLabel` (labels stay true, so the poison is invisible to a label audit — the paper's setting);
 * dirty-label takes all the others (their labels get flipped to the target).
 */
export function eligibleIndices(train: readonly Example[], attack: AttackConfig): number[] {
  const wantTarget = attack.labelMode === 'clean';
  const out: number[] = [];
  train.forEach((e, i) => {
    if ((e.label === attack.targetLabel) === wantTarget) out.push(i);
  });
  return out;
}

/**
 * How many samples to poison out of `eligible`: `budget` itself for a count, `round(budget × eligible)`
 * for a rate. Throws an `AttackError` with the numbers when the pool is empty or too small.
 */
export function poisonCount(attack: AttackConfig, eligible: number, labelNames?: readonly string[]): number {
  const target = labelText(attack.targetLabel, labelNames);
  const pool = attack.labelMode === 'clean' ? `clean-label poisoning takes samples labelled ${target}` : `dirty-label poisoning takes samples not labelled ${target}`;
  if (eligible === 0) {
    throw new AttackError('attack.targetLabel', `no training sample is eligible: ${pool} and there are none; pick another target label or label mode`);
  }
  if (attack.budgetKind === 'rate') {
    const k = Math.round(attack.budget * eligible);
    if (k < 1) {
      throw new AttackError(
        'attack.budget',
        `a rate of ${attack.budget} of ${eligible} eligible samples rounds to 0 poisoned samples; raise it to at least ${(0.5 / eligible).toPrecision(2)}`,
      );
    }
    return k;
  }
  if (attack.budget > eligible) {
    throw new AttackError(
      'attack.budget',
      `asks for ${attack.budget} poisoned samples but only ${eligible} are eligible (${pool}); lower the budget to at most ${eligible} or give a rate`,
    );
  }
  return attack.budget;
}

interface PoisonedTrainingSet {
  /** The training set, same length and order, with the chosen samples replaced by their poisoned copies. */
  examples: Example[];
  /** Indices of the poisoned samples, ascending. */
  poisonedIndices: number[];
}

/** A label as people read it: `0 (ham)` where the dataset names its classes, else the bare index. */
function labelText(label: number, names: readonly string[] | undefined): string {
  const name = names?.[label];
  return name && name !== String(label) ? `${label} (${name})` : String(label);
}

/**
 * Poisons `train` for the attack: picks `poisonCount` eligible samples by a seeded random choice,
 * applies the trigger to each and sets its label to the target (a no-op for clean-label). Returns a new
 * array; `train` and its examples are not mutated. The choice and the trigger positions draw from
 * separate streams, so changing the trigger position does not change which samples are poisoned.
 */
export function poisonTrainingSet(train: readonly Example[], attack: AttackConfig, numLabels: number, seed: number, labelNames?: readonly string[]): PoisonedTrainingSet {
  validateAttack(attack, numLabels);
  const bad = train.findIndex((e) => !Number.isInteger(e.label) || e.label < 0 || e.label >= numLabels);
  if (bad >= 0) {
    throw new AttackError('train', `sample ${bad} has label ${train[bad]!.label}, outside 0..${numLabels - 1}; check numLabels or the data`);
  }
  const eligible = eligibleIndices(train, attack);
  const k = poisonCount(attack, eligible.length, labelNames);
  const rng = new Rng(seed);
  const choose = rng.fork('poison-choose');
  const insert = rng.fork('poison-insert');
  const poisonedIndices = choose.sample(eligible, k).sort((a, b) => a - b);
  const examples = train.map((e) => ({ ...e }));
  for (const i of poisonedIndices) {
    examples[i] = { ...train[i]!, text: applyTrigger(train[i]!.text, attack, insert), label: attack.targetLabel };
  }
  return { examples, poisonedIndices };
}

/**
 * Every test sample whose true label is not the target, with the trigger applied and the true label
 * kept, in the original order: the set the attack success rate is measured on. Empty when every test
 * sample already has the target label (the ASR is then undefined, and `attackSuccessRate` says so).
 */
export function poisonedTestSet(test: readonly Example[], attack: AttackConfig, seed: number): Example[] {
  validateAttack(attack);
  const rng = new Rng(seed).fork('poison-test');
  return test
    .filter((e) => e.label !== attack.targetLabel)
    .map((e) => ({ ...e, text: applyTrigger(e.text, attack, rng) }));
}
