/** `w2sdefense`: a·CE + b·KD(teacher logits, T) + c·FA(teacher feature vs student token states, `defense.faDepth`), through a fresh LoRA. */
import { distillation } from './distillation';

export const w2sdefense = distillation((d) => ({ ce: d.ce, kd: d.kd, fa: d.fa }));
