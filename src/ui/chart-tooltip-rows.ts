/**
 * What the charts' tooltip says at one epoch, as a pure function of the run's figures, so it is
 * unit-tested without drawing a chart: one row per method shown, with its CA, ASR and ASR floor at
 * that epoch, read the way the lines are drawn (a defense's epoch 0 is the poisoned model it was
 * handed; an input filter is flat at its value after screening).
 */
import type { Metrics } from '../engine/events';
import { isDefense, isFilterMethod, type Method } from '../store/methods';
import type { MetricPoint } from '../store/run-state';

export interface TooltipRow {
  method: Method;
  ca: number;
  asr: number;
  /** The same sentences without the trigger, sent to the target; absent in results saved before it existed. */
  asrBase: number | undefined;
  /** A filter: no epochs, the value after screening. */
  flat: boolean;
}

interface ChartFigures {
  series: Partial<Record<Method, MetricPoint[]>>;
  finals: Partial<Record<Method, Metrics>>;
}

/** The rows at `epoch` for `methods`, in their order; a method with no figure at that epoch has no row. */
export function tooltipRows(epoch: number, methods: readonly Method[], { series, finals }: ChartFigures): TooltipRow[] {
  return methods.flatMap((method: Method): TooltipRow[] => {
    const points = series[method];
    // A defense's line starts at epoch 0 from the poisoned model, once the defense has an epoch of its own.
    const startsFromPoisoned = isDefense(method) && (points?.length ?? 0) > 0;
    if (isFilterMethod(method)) {
      const final = finals[method];
      return final ? [{ method, ca: final.ca, asr: final.asr, asrBase: final.asrBase, flat: true }] : [];
    }
    const point = points?.find((p) => p.epoch === epoch) ?? (epoch === 0 && startsFromPoisoned ? finals.poisoned : undefined);
    return point ? [{ method, ca: point.ca, asr: point.asr, asrBase: point.asrBase, flat: false }] : [];
  });
}
