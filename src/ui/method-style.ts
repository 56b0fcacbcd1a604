/**
 * One name and one colour per method, used by both charts, the legend and the table. Colours are the
 * Okabe–Ito palette (safe for the common colour-vision deficiencies); the two reference lines (teacher,
 * full fine-tuning) are also dashed, so the story does not rest on colour alone.
 */
import type { StageName } from '../engine/events';
import { methodOfStage, type Method } from '../store/methods';

export const METHOD_LABEL: Record<Method, string> = {
  'task-model': 'Public task model (clean)',
  poisoned: 'Poisoned student',
  teacher: 'Teacher (weak, clean)',
  lora: 'LoRA fine-tune (baseline)',
  w2sdefense: 'W2SDefense',
  'kd-only': 'KD only',
  'fa-only': 'FA only',
  'full-ft': 'Full fine-tune',
};

export const METHOD_COLOR: Record<Method, string> = {
  'task-model': '#999999', // grey: the clean reference before the attack
  poisoned: '#D55E00', // vermillion: the attack
  teacher: '#009E73', // bluish green
  lora: '#E69F00', // orange
  w2sdefense: '#0072B2', // blue: the paper's method
  'kd-only': '#56B4E9', // sky blue
  'fa-only': '#CC79A7', // reddish purple
  'full-ft': '#000000', // black
};

export const METHOD_DASH: Partial<Record<Method, string>> = {
  'task-model': '1 3',
  teacher: '6 3',
  'full-ft': '2 3',
};

export function stageLabel(stage: StageName): string {
  if (stage === 'pretrain') return 'Pretrain student';
  if (stage === 'task') return 'Public task model';
  if (stage === 'poison') return 'Poison student';
  if (stage === 'teacher') return 'Train teacher';
  const method = methodOfStage(stage);
  return method ? `Defense: ${METHOD_LABEL[method]}` : stage;
}
