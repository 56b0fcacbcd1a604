import { describe, expect, it } from 'vitest';
import type { NamedWeights } from '../models/encoder';
import type { Evaluation } from '../train/evaluate';
import { endStateFor, WeightMean } from './end-state';

const weights = (a: number[], b: number[]): NamedWeights => ({
  'layer.w': { shape: [2, 1], data: Float32Array.from(a) },
  'head.b': { shape: [1], data: Float32Array.from(b) },
});
const metrics = (devAcc: number): Evaluation => ({ ca: 0.5, asr: 0.5, asrBase: 0.1, devAcc });

/** Drives an end state through `epochs` epochs; epoch e's weights are [e, 2e] and [10e]; counts the reads. */
async function drive(choice: { selectBestByDev: boolean; averageLast: number; epochs: number }, devAccs: number[]) {
  const end = endStateFor(choice);
  const read: number[] = [];
  for (let e = 1; e <= devAccs.length; e++) {
    await end.afterEpoch(e, metrics(devAccs[e - 1]!), async () => {
      read.push(e);
      return weights([e, 2 * e], [10 * e]);
    });
  }
  return { chosen: end.chosen(), read };
}

describe('WeightMean', () => {
  it('is the element-wise mean of the sets added, each weight keeping its shape', () => {
    const mean = new WeightMean();
    mean.add(weights([1, 2], [3]));
    mean.add(weights([3, 6], [4]));
    mean.add(weights([5, 1], [-1]));
    const v = mean.value();
    expect(Array.from(v['layer.w']!.data)).toEqual([3, 3]);
    expect(Array.from(v['head.b']!.data)).toEqual([2]);
    expect(v['layer.w']!.shape).toEqual([2, 1]);
    expect(mean.count).toBe(3);
  });

  it('leaves the sets it was given untouched and hands out copies', () => {
    const first = weights([1, 2], [3]);
    const mean = new WeightMean();
    mean.add(first);
    mean.add(weights([3, 4], [5]));
    mean.value()['layer.w']!.data[0] = 99;
    expect(Array.from(first['layer.w']!.data)).toEqual([1, 2]);
    expect(Array.from(mean.value()['layer.w']!.data)).toEqual([2, 3]);
  });

  it('refuses sets that do not match, and an empty mean', () => {
    const mean = new WeightMean();
    expect(() => mean.value()).toThrow(/no weights/);
    mean.add(weights([1, 2], [3]));
    expect(() => mean.add({ 'layer.w': { shape: [2, 1], data: Float32Array.from([1, 2]) } })).toThrow(/differ/);
    expect(() => mean.add({ ...weights([1, 2], [3]), 'head.b': { shape: [2], data: Float32Array.from([1, 2]) } })).toThrow(/head\.b/);
  });
});

describe('endStateFor', () => {
  it('keeps the last epoch by default and never copies weights', async () => {
    for (const averageLast of [0, 1]) {
      const { chosen, read } = await drive({ selectBestByDev: false, averageLast, epochs: 4 }, [0.5, 0.6, 0.7, 0.8]);
      expect(chosen).toBeUndefined();
      expect(read).toEqual([]);
    }
  });

  it('averages the weights after each of the last N epochs, reading only those', async () => {
    const { chosen, read } = await drive({ selectBestByDev: false, averageLast: 3, epochs: 5 }, [0.5, 0.6, 0.7, 0.8, 0.9]);
    expect(read).toEqual([3, 4, 5]);
    expect(Array.from(chosen!.weights['layer.w']!.data)).toEqual([4, 8]);
    expect(Array.from(chosen!.weights['head.b']!.data)).toEqual([40]);
    // Its metrics are no epoch's: the caller measures them.
    expect(chosen!.metrics).toBeUndefined();
    expect(chosen!.message).toMatch(/epochs 3–5 \(3 epochs\)/);
  });

  it('averages what there is when training stops before the last epoch, and keeps a lone epoch as it is', async () => {
    const short = await drive({ selectBestByDev: false, averageLast: 3, epochs: 5 }, [0.5, 0.6, 0.7, 0.8]);
    expect(Array.from(short.chosen!.weights['layer.w']!.data)).toEqual([3.5, 7]);
    expect(short.chosen!.message).toMatch(/epochs 3–4 \(2 epochs\)/);
    const lone = await drive({ selectBestByDev: false, averageLast: 3, epochs: 5 }, [0.5, 0.6, 0.7]);
    expect(lone.chosen).toBeUndefined();
  });

  it('averages every epoch when N covers them all', async () => {
    const { chosen, read } = await drive({ selectBestByDev: false, averageLast: 9, epochs: 3 }, [0.5, 0.6, 0.7]);
    expect(read).toEqual([1, 2, 3]);
    expect(Array.from(chosen!.weights['head.b']!.data)).toEqual([20]);
  });

  it('keeps the first epoch with the best dev accuracy, with the metrics it had (the paper)', async () => {
    const { chosen } = await drive({ selectBestByDev: true, averageLast: 0, epochs: 5 }, [0.5, 0.8, 0.7, 0.8, 0.6]);
    expect(Array.from(chosen!.weights['head.b']!.data)).toEqual([20]);
    expect(chosen!.metrics!.devAcc).toBe(0.8);
    expect(chosen!.message).toMatch(/epoch 2 \(best dev accuracy 80\.0 %\)/);
  });

  it('refuses both at once', () => {
    expect(() => endStateFor({ selectBestByDev: true, averageLast: 3, epochs: 5 })).toThrow(/not both/);
  });
});
