/** `full-ft`: every weight of the poisoned student fine-tuned by cross-entropy on clean data (the paper's reference). */
import { distillation } from './distillation';

export const fullFt = distillation(() => ({ ce: 1, kd: 0, fa: 0 }), false);
