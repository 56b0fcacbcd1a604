/** `kd-only`: W2SDefense without feature alignment (the paper's “w/o FA” row): a·CE + b·KD. */
import { distillation } from './distillation';

export const kdOnly = distillation((d) => ({ ce: d.ce, kd: d.kd, fa: 0 }));
