/**
 * Was the backdoor planted? The official W2SDefense code poisons until the ASR passes 0.95: a weakly
 * planted backdoor (71 %) is removed by any fine-tuning and says nothing about a defense. So poisoning
 * stops once the dev ASR reaches `poison.untilAsr` (`poison.epochs` is the cap), and a run whose attack
 * did not plant compares no defenses.
 *
 * `untilAsr` 0 asks for fixed epochs: poisoning runs them all and the defenses run whatever the ASR, yet
 * the record still judges the backdoor against the official 0.95 (and a warning says so when it falls
 * short), since a weak backdoor is weak however it was trained.
 *
 * Pure functions of the dev ASR per epoch, so the rule is tested without training and a cached poison
 * stage (whose epochs keep their `devAsr`) rebuilds the same record.
 */
import type { AttackRecord, EpochRecord } from '../events';

/** The official code's bar: poisoning trains until ASR > 0.95. */
export const PLANTED_ASR = 0.95;

/** The dev ASR a backdoor must reach to count as planted under this `untilAsr`. */
export function plantThreshold(untilAsr: number): number {
  return untilAsr > 0 ? untilAsr : PLANTED_ASR;
}

/**
 * Whether poisoning stops after this epoch: at least `minEpochs` done and its dev ASR reached `untilAsr`
 * (never with `untilAsr` 0).
 */
export function reachedUntilAsr(record: Pick<EpochRecord, 'devAsr' | 'epoch'>, untilAsr: number, minEpochs = 0): boolean {
  return untilAsr > 0 && record.epoch >= minEpochs && record.devAsr !== undefined && record.devAsr >= untilAsr;
}

/**
 * The attack's record from the poison stage's epochs: the last epoch's dev ASR against the threshold.
 * Every epoch of a poison stage carries `devAsr` (its cache key names the eval sets, so an entry stored
 * before `devAsr` existed is never replayed); a missing one counts as 0, i.e. not planted.
 */
export function attackRecord(epochs: readonly Pick<EpochRecord, 'devAsr'>[], untilAsr: number): AttackRecord {
  const threshold = plantThreshold(untilAsr);
  const devAsr = epochs.at(-1)?.devAsr ?? 0;
  return { planted: devAsr >= threshold, devAsr, epochs: epochs.length, threshold };
}

/** Defenses are compared only on a planted backdoor; with fixed epochs (`untilAsr` 0) the user asked for them anyway. */
export function skipsDefenses(attack: AttackRecord, untilAsr: number): boolean {
  return !attack.planted && untilAsr > 0;
}

/** The warning a run gives (and the page shows) when the backdoor is not in, in plain words and with what to change. */
export function notPlantedMessage(attack: AttackRecord, defensesSkipped: boolean): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const needs = `${+(attack.threshold * 100).toFixed(1)} %`;
  const head = `The attack did not plant a backdoor: dev ASR ${pct(attack.devAsr)} after ${attack.epochs} epoch${attack.epochs === 1 ? '' : 's'} (needs ${needs}).`;
  const fix = 'raise poison.epochs, the poison budget or poison.lr.';
  return defensesSkipped
    ? `${head} Defenses are not compared on a failed attack; ${fix}`
    : `${head} The defenses run anyway (poison.untilAsr 0 asks for fixed epochs), but they are tested on a weak backdoor; ${fix}`;
}
