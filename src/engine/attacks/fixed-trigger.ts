/**
 * The trigger at a fixed seed, for the try-it box and the feature map: the run's own attack inserts it
 * where the attack would (`applyTrigger`), and the same sentence always gets the same insertion.
 */
import { applyTrigger, type AttackConfig } from './poison';
import { Rng } from '../rng';

/** Seed for random insertion positions in the try-it box: fixed, so toggling is repeatable. */
const TRY_TRIGGER_SEED = 7;

export function withTrigger(text: string, attack: AttackConfig): string {
  return applyTrigger(text, attack, new Rng(TRY_TRIGGER_SEED));
}
