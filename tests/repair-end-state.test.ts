/**
 * How a repair ends, in a real run (tiny SST-2 slice, WASM): on the mean of its last epochs' weights when
 * `defense.averageLast` asks, with the per-epoch records untouched. The mean itself is checked on hand-made
 * weights in src/engine/defenses/end-state.test.ts; whether it helps is measured by `npm run bench:science`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { applyPatch } from '../src/engine/config';
import type { Dataset } from '../src/engine/data/types';
import { runExperiment } from '../src/engine/pipeline';
import { MemoryCache } from '../src/engine/cache';
import { tinySst2 as tiny, tinySst2Data } from './tiny-config';

let dataset: Dataset;

beforeAll(async () => {
  await tf.setBackend('wasm');
  dataset = await tinySst2Data();
});

describe("a repair's end state", () => {
  it('ends a repair on the mean of its last epochs when asked: the same epochs, their weights averaged and measured, no leak', async () => {
    const cache = new MemoryCache(); // the attacker's stages train once, for both runs
    const run = async (averageLast: number) => {
      const logs: string[] = [];
      const before = tf.memory().numTensors;
      const config = applyPatch(tiny(), { defense: { methods: ['lora', 'w2sdefense'], epochs: 3, averageLast } });
      const { results, predictor } = await runExperiment(config, dataset, { backend: 'wasm', cache, emit: (e) => void (e.type === 'log' && logs.push(e.message)) });
      predictor.dispose();
      expect(tf.memory().numTensors).toBe(before);
      return { results, logs };
    };
    const last = await run(0);
    const mean = await run(2);
    for (const m of ['lora', 'w2sdefense'] as const) {
      const [a, b] = [last.results.stages[`defense:${m}`]!, mean.results.stages[`defense:${m}`]!];
      // Copying the weights out after an epoch leaves the trajectory as it was.
      expect(b.epochs, m).toEqual(a.epochs);
      expect(mean.logs, m).toContain(`defense:${m}: keeping the mean of the weights after epochs 2–3 (2 epochs).`);
      expect([b.final!.ca, b.final!.asr, b.final!.asrBase].every((x) => x >= 0 && x <= 1), m).toBe(true);
    }
    expect(last.logs.some((l) => l.includes('keeping the mean'))).toBe(false);
  }, 300_000);
});
