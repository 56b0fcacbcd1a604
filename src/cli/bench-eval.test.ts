import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPatch } from '../engine/config';
import { Tokenizer } from '../engine/data/tokenizer';
import type { Dataset, Example } from '../engine/data/types';
import { configFromPreset } from '../engine/presets';
import { measureEvaluation } from './bench-eval';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const TINY = applyPatch(configFromPreset('quick'), {
  data: { maxLength: 8 },
  models: { student: { layers: 1, dModel: 8, heads: 2, dFF: 16 }, teacher: { layers: 1, dModel: 4, heads: 2, dFF: 8 }, dropout: 0.1 },
});

describe('measureEvaluation', () => {
  it('times both passes each round over dev + test, agrees on every label, leaks no tensor', async () => {
    const words = ['good', 'bad', 'film', 'plot', 'dull', 'fine'];
    // Sentences of 1..6 words, so the length-ordered pass has batches of several widths.
    const examples = (n: number, salt: number): Example[] =>
      Array.from({ length: n }, (_, i) => ({ text: words.slice(0, 1 + ((i * 5 + salt) % 6)).join(' '), label: i % 2 }));
    const data: Dataset = { name: 'tiny', labelNames: ['neg', 'pos'], train: examples(20, 0), dev: examples(30, 1), test: examples(40, 2) };
    const tokenizer = Tokenizer.fromTexts(data.train.map((e) => e.text), { vocabSize: 40 });
    const before = tf.memory().numTensors;
    const m = await measureEvaluation(TINY, data, tokenizer, 2);
    expect(tf.memory().numTensors).toBe(before);
    expect(m.sentences).toBe(70);
    expect(m.fullWindow).toHaveLength(2);
    expect(m.byLength).toHaveLength(2);
    expect([...m.fullWindow, ...m.byLength].every((s) => Number.isFinite(s) && s > 0)).toBe(true);
    expect(m.labelsDiffer).toBe(0);
  });
});
