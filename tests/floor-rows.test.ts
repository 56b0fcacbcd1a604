/**
 * The ASR's floor reads the untriggered sentences' labels from the CA pass where the clean test set holds
 * them (`EvalSets.baseInTest`): each mapped row must be that very sentence, and with the whole test split
 * every one of them is there.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { applyPatch } from '../src/engine/config';
import type { Dataset } from '../src/engine/data/types';
import { disposeData, prepareData } from '../src/engine/prepared-data';
import { loadDataDir } from '../src/cli/node-data';
import { SST2, tinySst2 } from './tiny-config';

let dataset: Dataset;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const full = await loadDataDir(SST2, 1);
  dataset = { ...full, test: full.test.slice(0, 200) };
});

describe('the floor rows found in the test set', () => {
  it.each([
    ['a capped test set', 40],
    ['the whole test split', 0],
  ])('with %s, map each untriggered sentence to the same sentence of the test set, or to none', (_name, maxTest) => {
    const cfg = applyPatch(tinySst2(), { data: { maxTrain: 300, maxTest } });
    const data = prepareData(cfg, dataset, { emit: () => {} });
    try {
      const map = data.eval.baseInTest!;
      const { baseTest, test } = data.texts;
      expect(map).toHaveLength(baseTest.length);
      map.forEach((t, i) => {
        if (t >= 0) expect(test[t]!.text).toBe(baseTest[i]!.text);
        else expect(test.some((e) => e.text === baseTest[i]!.text)).toBe(false);
      });
      const found = map.filter((t) => t >= 0).length;
      if (maxTest === 0) expect(found).toBe(baseTest.length);
      else expect(found).toBeLessThan(baseTest.length);
      // The encoded rows agree too: the same ids, so the same prediction.
      const T = cfg.data.maxLength;
      const ids = (set: { idArray: Int32Array }, row: number) => [...set.idArray.subarray(row * T, (row + 1) * T)];
      map.forEach((t, i) => t >= 0 && expect(ids(data.eval.test, t)).toEqual(ids(data.eval.baseTest, i)));
    } finally {
      disposeData(data);
    }
  });
});
