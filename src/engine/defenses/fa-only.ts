/** `fa-only`: W2SDefense without logit distillation (the paper's “w/o KD” row): a·CE + c·FA. */
import { distillation } from './distillation';

export const faOnly = distillation((d) => ({ ce: d.ce, kd: 0, fa: d.fa }));
