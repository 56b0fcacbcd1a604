/**
 * Where the backdoor lives: CA and ASR of the poisoned model with one part of it put back as it was
 * before poisoning — the trigger's embedding rows, each block's weights (for LoRA poisoning: that
 * layer's merged delta), the classifier head. If resetting one part alone brings the ASR down to its
 * floor, the backdoor is stored there; a defense that cannot change that part cannot remove it (a
 * clean-data objective never gives a trigger row a gradient, for one).
 */
import type { SavedWeights } from '../cache';
import type { LocationProbe } from '../events';
import type { Evaluation } from '../train/evaluate';

/** One part of the model: a name and the weights (by name) that make it up, with the rows when partial. */
interface ModelPart {
  part: string;
  /** Weight name → rows to put back (null: the whole weight). */
  weights: Record<string, readonly number[] | null>;
}

/**
 * `poisoned` with the weights of `part` taken from `before` (the rest untouched). Throws, naming the
 * weight, when either set lacks it or the shapes differ.
 */
export function withPartReset(poisoned: SavedWeights, before: SavedWeights, part: ModelPart): SavedWeights {
  const out: SavedWeights = { ...poisoned };
  for (const [name, rows] of Object.entries(part.weights)) {
    const now = poisoned[name];
    const old = before[name];
    if (!now || !old) throw new Error(`cannot reset "${name}" for ${part.part}: the weights lack it`);
    if (now.shape.join() !== old.shape.join()) throw new Error(`cannot reset "${name}" for ${part.part}: shape [${now.shape}] vs [${old.shape}]`);
    if (rows === null) {
      out[name] = { shape: [...old.shape], data: Float32Array.from(old.data) };
      continue;
    }
    const width = now.shape.slice(1).reduce((a, b) => a * b, 1);
    const data = Float32Array.from(now.data);
    for (const r of rows) data.set(old.data.subarray(r * width, (r + 1) * width), r * width);
    out[name] = { shape: [...now.shape], data };
  }
  return out;
}

/**
 * The parts a student encoder is probed by: the trigger's embedding rows (when the trigger has tokens of
 * its own), each block, and the head (only when `headBefore` — a head trained before poisoning exists;
 * a fresh random head says nothing).
 */
export function studentParts(weightNames: readonly string[], triggerIds: readonly number[], layers: number, headBefore: boolean): ModelPart[] {
  const parts: ModelPart[] = [];
  if (triggerIds.length > 0) parts.push({ part: 'trigger rows', weights: { 'encoder.tok': triggerIds } });
  const whole = (prefix: string) => Object.fromEntries(weightNames.filter((n) => n.startsWith(prefix)).map((n) => [n, null]));
  for (let i = 0; i < layers; i++) parts.push({ part: `block ${i + 1}`, weights: whole(`encoder.blocks.${i}.`) });
  if (headBefore) parts.push({ part: 'head', weights: whole('head.') });
  return parts;
}

/** Evaluates `poisoned` with each part reset in turn; `score` loads weights into a scratch model and evaluates. */
export async function probeBackdoorLocation(
  poisoned: SavedWeights,
  before: SavedWeights,
  parts: readonly ModelPart[],
  score: (weights: SavedWeights) => Promise<Evaluation>,
): Promise<LocationProbe[]> {
  const out: LocationProbe[] = [];
  for (const part of parts) {
    const { ca, asr, asrBase } = await score(withPartReset(poisoned, before, part));
    out.push({ part: part.part, ca, asr, asrBase });
  }
  return out;
}
