/** `lora`: the paper's baseline — a fresh LoRA adapter on the poisoned student, cross-entropy on clean data alone. */
import { distillation } from './distillation';

export const lora = distillation(() => ({ ce: 1, kd: 0, fa: 0 }));
