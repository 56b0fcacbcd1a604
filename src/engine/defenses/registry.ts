/**
 * Every defense's procedure, by the id `catalog.ts` gives it. The mapped type makes a catalog entry
 * without a procedure (or a procedure without an entry) a compile error.
 */
import type { ExperimentConfig } from '../config';
import type { LossWeights } from '../train/defense-loss';
import type { DefenseId } from './catalog';
import { faOnly } from './fa-only';
import { finePruning } from './fine-pruning';
import { fullFt } from './full-ft';
import { kdOnly } from './kd-only';
import { lora } from './lora';
import { nad } from './nad';
import { onion } from './onion';
import type { DefenseProcedure } from './procedure';
import { strip } from './strip';
import { w2sdefense } from './w2sdefense';

export const PROCEDURES: { readonly [K in DefenseId]: DefenseProcedure & { weights?: (d: ExperimentConfig['defense']) => LossWeights } } = {
  lora,
  w2sdefense,
  'kd-only': kdOnly,
  'fa-only': faOnly,
  'full-ft': fullFt,
  'fine-pruning': finePruning,
  nad,
  onion,
  strip,
};

/** The CE/KD/FA weights of a defense of the W2SDefense family; null for the others. */
export function lossWeights(id: DefenseId, d: ExperimentConfig['defense']): LossWeights | null {
  return PROCEDURES[id].weights?.(d) ?? null;
}

/** Whether `id`'s screening can be shared with idle lanes: its procedure rebuilds the filter there. */
export function sharesScreening(id: DefenseId): boolean {
  return PROCEDURES[id].laneFilter !== undefined;
}
