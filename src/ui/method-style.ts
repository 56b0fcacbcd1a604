/**
 * One name, colour and dash per method, used by both charts, the legend and the table. The defenses'
 * come from their catalog entries (engine/defenses/catalog.ts); the three reference models are the
 * lab's own. Colours are Okabe–Ito (safe for the common colour-vision deficiencies) and, past its
 * eight, Paul Tol's muted set; reference lines and filters are also dashed, so the story does not rest
 * on colour alone.
 */
import { DEFENSES } from '../engine/defenses/catalog';
import type { StageName } from '../engine/events';
import { isDefense, METHODS, methodOfStage, type Method } from '../store/methods';

const REFERENCE_MODELS = {
  'task-model': { label: 'Public task model (clean)', color: '#999999', dash: '1 3' }, // grey: the clean reference before the attack
  poisoned: { label: 'Poisoned student', color: '#D55E00' }, // vermillion: the attack
  teacher: { label: 'Teacher (weak, clean)', color: '#009E73', dash: '6 3' }, // bluish green
} satisfies Record<Exclude<Method, keyof typeof DEFENSES>, { label: string; color: string; dash?: string }>;

const styleOf = (m: Method): { label: string; color: string; dash?: string } => (isDefense(m) ? DEFENSES[m] : REFERENCE_MODELS[m]);

const byMethod = <V>(pick: (m: Method) => V) => Object.fromEntries(METHODS.map((m) => [m, pick(m)])) as Record<Method, V>;

export const METHOD_LABEL = byMethod((m) => styleOf(m).label);
export const METHOD_COLOR = byMethod((m) => styleOf(m).color);
export const METHOD_DASH = byMethod((m) => styleOf(m).dash);

export function stageLabel(stage: StageName): string {
  if (stage === 'pretrain') return 'Pretrain student';
  if (stage === 'task') return 'Public task model';
  if (stage === 'poison') return 'Poison student';
  if (stage === 'teacher') return 'Train teacher';
  const method = methodOfStage(stage);
  return method ? `Defense: ${METHOD_LABEL[method]}` : stage;
}
