/**
 * Which weights a clean-tuning repair ends with: the last epoch's (the default), the epoch with the best
 * dev accuracy (the paper's protocol), or the mean of the last epochs' weights (tail averaging, as
 * stochastic weight averaging does). On SST-2 the last epoch's ASR swings by 10–20 points from one epoch
 * to the next (docs/FINDINGS.md, *Round 17*); the mean of nearby points of one trajectory depends less on
 * where the last step happened to land. Measured on SST-2's dev split (*Round 19*), the mean of the last
 * three read the middle of that band, not a better model, and no preset uses it.
 */
import type { NamedWeights } from '../models/encoder';
import type { Evaluation } from '../train/evaluate';

export interface EndStateChoice {
  /** Keep the epoch with the best dev accuracy. */
  selectBestByDev: boolean;
  /** Average the weights of this many last epochs (0 or 1: the last epoch's own). */
  averageLast: number;
  /** The epochs the stage trains. */
  epochs: number;
}

/** The weights to end with, the metrics they are known to have (undefined: evaluate them), and a line for the log. */
export interface ChosenEnd {
  weights: NamedWeights;
  metrics?: Evaluation;
  message: string;
}

export interface EndState {
  /** After each epoch (1-based): `read` copies the model's weights, adapters folded in; called only when kept. */
  afterEpoch(epoch: number, metrics: Evaluation, read: () => Promise<NamedWeights>): Promise<void>;
  /** What to end with; undefined keeps the model as the last epoch left it. */
  chosen(): ChosenEnd | undefined;
}

export function endStateFor(c: EndStateChoice): EndState {
  if (c.selectBestByDev && c.averageLast > 1) throw new Error('an end state is either the best epoch by dev or a mean of the last epochs, not both');
  if (c.selectBestByDev) return bestByDev();
  if (c.averageLast > 1) return tailAverage(c.averageLast, c.epochs);
  return { afterEpoch: async () => undefined, chosen: () => undefined };
}

/** Keeps a copy of the best epoch so far by dev accuracy (the first of equals). */
function bestByDev(): EndState {
  let best: { devAcc: number; epoch: number; weights: NamedWeights; metrics: Evaluation } | undefined;
  return {
    async afterEpoch(epoch, metrics, read) {
      const devAcc = metrics.devAcc ?? 0;
      if (!best || devAcc > best.devAcc) best = { devAcc, epoch, weights: await read(), metrics };
    },
    chosen: () => best && { weights: best.weights, metrics: best.metrics, message: `keeping epoch ${best.epoch} (best dev accuracy ${(best.devAcc * 100).toFixed(1)} %)` },
  };
}

/** The mean of the weights after each of the last `count` of `epochs` epochs (fewer when training stops early). */
function tailAverage(count: number, epochs: number): EndState {
  const first = Math.max(1, epochs - count + 1);
  const mean = new WeightMean();
  let last = 0;
  return {
    async afterEpoch(epoch, _metrics, read) {
      if (epoch < first) return;
      mean.add(await read());
      last = epoch;
    },
    chosen: () =>
      mean.count > 1 ? { weights: mean.value(), message: `keeping the mean of the weights after epochs ${first}–${last} (${mean.count} epochs)` } : undefined,
  };
}

/** A running mean of weight sets with the same names and shapes. */
export class WeightMean {
  private sum: NamedWeights | undefined;
  count = 0;

  add(w: NamedWeights): void {
    if (!this.sum) {
      this.sum = Object.fromEntries(Object.entries(w).map(([name, { shape, data }]) => [name, { shape: [...shape], data: Float32Array.from(data) }]));
    } else {
      const names = Object.keys(w);
      if (names.length !== Object.keys(this.sum).length) throw new Error(`weight sets differ: ${names.length} weights against ${Object.keys(this.sum).length}`);
      for (const name of names) {
        const into = this.sum[name];
        const from = w[name]!;
        if (!into || into.data.length !== from.data.length) throw new Error(`weight ${name} is missing or has another shape in an earlier set`);
        for (let i = 0; i < from.data.length; i++) into.data[i]! += from.data[i]!;
      }
    }
    this.count++;
  }

  /** The mean so far (a fresh copy). */
  value(): NamedWeights {
    if (!this.sum) throw new Error('no weights were added');
    const n = this.count;
    return Object.fromEntries(Object.entries(this.sum).map(([name, { shape, data }]) => [name, { shape: [...shape], data: data.map((x) => x / n) }]));
  }
}
