/**
 * A filter's stage with verdicts screened ahead (early-screening.ts hands them over): the texts that
 * have one are not screened again, the rest are, and the stage's numbers are those of screening all.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { applyPatch } from '../src/engine/config';
import type { Dataset } from '../src/engine/data/types';
import type { InputFilter, Screened } from '../src/engine/defenses/input-filter';
import type { DefenseContext } from '../src/engine/defenses/procedure';
import { screeningPlan, screenTestSets } from '../src/engine/defenses/screen-test-sets';
import { disposeData, prepareData, type PreparedData } from '../src/engine/prepared-data';
import { newStudentFor } from '../src/engine/run-models';
import { Rng } from '../src/engine/rng';
import { loadDataDir } from '../src/cli/node-data';
import { SST2, tinySst2 } from './tiny-config';

const cfg = applyPatch(tinySst2(), { data: { maxTrain: 300, maxTest: 40 } });
let dataset: Dataset;

beforeAll(async () => {
  await tf.setBackend('cpu');
  dataset = await loadDataDir(SST2, cfg.seed);
  dataset = { ...dataset, test: dataset.test.slice(0, 80) };
});

/** A filter that drops the word "mn" and logs every text it screens. */
function dropsMn(screened: string[]): InputFilter {
  return {
    async screen(texts) {
      screened.push(...texts);
      return texts.map((text): Screened => {
        const kept = text.split(' ').filter((w) => w !== 'mn');
        const removed = kept.length < text.split(' ').length ? ['mn'] : [];
        return { text: kept.join(' '), flagged: removed.length > 0, rejected: false, removed, note: '' };
      });
    },
  };
}

describe('screenTestSets with verdicts screened ahead', () => {
  it('screens only the texts without a verdict and gives the numbers of screening every text', async () => {
    const data: PreparedData = prepareData(cfg, dataset, { emit: () => {} });
    const poisoned = newStudentFor(cfg, data.tokenizer.vocabSize, data.numLabels, new Rng(1));
    const context = (prescreened?: ReadonlyMap<string, Screened>): DefenseContext =>
      ({ id: 'onion', stage: 'defense:onion', cfg, data, ctx: { emit: () => {} }, rng: new Rng(5), poisoned, ...(prescreened ? { prescreened } : {}) }) as unknown as DefenseContext;
    try {
      const all: string[] = [];
      const whole = await screenTestSets(context(), dropsMn(all), 0, 20);
      const plan = screeningPlan(data, 20, new Rng(5)).texts;
      expect([...all].sort()).toEqual([...plan].sort());
      // A third of the texts screened ahead, by another copy of the same filter.
      const ahead = plan.filter((_, i) => i % 3 === 0);
      const verdicts = await dropsMn([]).screen(ahead);
      const rest: string[] = [];
      const shared = await screenTestSets(context(new Map(ahead.map((t, i) => [t, verdicts[i]!]))), dropsMn(rest), 0, 20);
      expect([...rest].sort()).toEqual(plan.filter((_, i) => i % 3 !== 0).sort());
      expect(shared.final).toEqual(whole.final);
      expect(shared.filter).toEqual(whole.filter);
    } finally {
      poisoned.dispose();
      disposeData(data);
    }
  });
});
