/**
 * What the "where it lives" probe concludes, in one plain sentence computed from its numbers: how much
 * of the backdoor (the poisoned model's ASR above the floor) each reset part takes away, and whether
 * one part holds it. The floor is the clean model's ASR on the same sentences where the run has it (a
 * trigger can move a clean model by itself), else the part's own `asrBase`.
 */
import type { LocationProbe, Metrics } from '../engine/events';
import { percent } from './format';

/** A part's name in words a class reads. */
export function partInWords(part: string): string {
  if (part === 'trigger rows') return 'the trigger’s own word vectors';
  if (part === 'head') return 'the classifier head';
  const block = /^block (\d+)$/.exec(part);
  if (block) return `transformer layer ${block[1]}`;
  return part;
}

/** The share of the backdoor a reset removes: 1 = down to the floor, 0 = untouched. */
export function removedShare(probe: LocationProbe, poisoned: Metrics, cleanFloor: number | null): number {
  const floor = cleanFloor ?? probe.asrBase;
  const above = poisoned.asr - floor;
  if (above <= 0.01) return 0;
  return Math.max(0, Math.min(1, (poisoned.asr - probe.asr) / above));
}

export interface LocationVerdict {
  sentence: string;
  /** The part that removes the most, where it removes at least a third: highlighted in the table. */
  holder: string | null;
}

export function locationVerdict(probes: readonly LocationProbe[], poisoned: Metrics, cleanFloor: number | null): LocationVerdict {
  const floorText = cleanFloor !== null ? `the clean model’s ${percent(cleanFloor)}` : 'its floor';
  if (probes.length === 0) return { sentence: 'No part was probed.', holder: null };
  if (poisoned.asr - (cleanFloor ?? Math.min(...probes.map((p) => p.asrBase))) <= 0.01)
    return { sentence: `The poisoned model’s ASR (${percent(poisoned.asr)}) is already at ${floorText}: there is no backdoor to locate.`, holder: null };
  const ranked = probes.map((p) => ({ p, share: removedShare(p, poisoned, cleanFloor) })).sort((a, b) => b.share - a.share);
  const best = ranked[0]!;
  const name = partInWords(best.p.part);
  const move = `ASR ${percent(poisoned.asr)} → ${percent(best.p.asr)}`;
  if (best.share >= 0.8) return { sentence: `Resetting ${name} alone removes the backdoor (${move}, ${floorText} is the floor): that is where it is stored.`, holder: best.p.part };
  if (best.share >= 1 / 3)
    return { sentence: `No single part holds all of it: resetting ${name} removes ${Math.round(best.share * 100)} % of it (${move}); the rest is spread over the other parts.`, holder: best.p.part };
  return { sentence: `No single part holds it: resetting any one part leaves ASR at ${percent(Math.min(...probes.map((p) => p.asr)))} or more; the backdoor is spread across the network.`, holder: null };
}
