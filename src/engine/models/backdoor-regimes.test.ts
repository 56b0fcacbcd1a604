/**
 * Where poisoning may write: LoRA poisoning never touches the embedding table, and pinned trigger rows
 * stay equal bit for bit through full fine-tuning (weight decay included) — the two properties the
 * lab's lesson about where a backdoor lives rests on.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EncoderSize, LoraConfig } from '../config';
import { Rng } from '../rng';
import { trainStep } from '../train/fit';
import { crossEntropy } from '../train/losses';
import { AdamW } from '../train/optimizer';
import { PinnedRows } from './pinned-rows';
import { StudentModel } from './student';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SIZE: EncoderSize = { layers: 2, dModel: 16, heads: 2, dFF: 32 };
const V = 30;
const T = 6;
const TRIGGER = 7;
const LORA: LoraConfig = { rank: 4, alpha: 8, dropout: 0, targets: ['q', 'k', 'v', 'o', 'ff1', 'ff2'] };
// Every sequence carries the trigger id 7, so an unpinned row 7 does get a gradient.
const ids = () => tf.tensor2d([[2, 5, 7, 3, 0, 0], [2, 9, 7, 11, 19, 4], [2, 7, 4, 0, 0, 0], [2, 8, 7, 12, 0, 0]], undefined, 'int32');
const labels = () => tf.tensor1d([1, 1, 1, 1], 'int32');

function train(model: StudentModel, variables: tf.Variable[], steps: number, afterStep?: () => void): void {
  const opt = new AdamW(variables, { weightDecay: 0.1 }); // decay moves rows even without a gradient
  const x = ids();
  const y = labels();
  for (let i = 0; i < steps; i++) {
    trainStep(variables, opt, () => crossEntropy(model.classify(x, true).logits, y), 1e-2, 1).dispose();
    afterStep?.();
  }
  opt.dispose();
  tf.dispose([x, y]);
}

const rowOf = (w: { shape: number[]; data: Float32Array }, r: number) => Array.from(w.data.subarray(r * w.shape[1]!, (r + 1) * w.shape[1]!));

describe('LoRA poisoning', () => {
  it('changes no embedding row, but does change the block weights it merges into', () => {
    const model = new StudentModel(SIZE, V, T, 2, 0, new Rng(3));
    const before = model.getWeights();
    model.attachLora(LORA, new Rng(4));
    train(model, [...model.loraVariables(), ...model.headVariables()], 8);
    model.mergeLora();
    const after = model.getWeights();
    expect(after['encoder.tok']!.data).toEqual(before['encoder.tok']!.data);
    expect(after['encoder.pos']!.data).toEqual(before['encoder.pos']!.data);
    expect(after['encoder.blocks.0.ff1.W']!.data).not.toEqual(before['encoder.blocks.0.ff1.W']!.data);
    model.dispose();
  });
});

describe('pinned trigger rows', () => {
  it('stay equal bit for bit through full fine-tuning with weight decay; other rows move', () => {
    const model = new StudentModel(SIZE, V, T, 2, 0, new Rng(3));
    const before = model.getWeights()['encoder.tok']!;
    const pinned = new PinnedRows(model.encoder.tokenEmbedding, [TRIGGER]);
    train(model, model.classifierVariables(), 8, () => pinned.restore());
    pinned.dispose();
    const after = model.getWeights()['encoder.tok']!;
    expect(rowOf(after, TRIGGER)).toEqual(rowOf(before, TRIGGER));
    expect(rowOf(after, 5)).not.toEqual(rowOf(before, 5));
    model.dispose();
  });

  it('without pinning the same training moves the trigger row (the check above can fail)', () => {
    const model = new StudentModel(SIZE, V, T, 2, 0, new Rng(3));
    const before = model.getWeights()['encoder.tok']!;
    train(model, model.classifierVariables(), 8);
    expect(rowOf(model.getWeights()['encoder.tok']!, TRIGGER)).not.toEqual(rowOf(before, TRIGGER));
    model.dispose();
  });

  it('rejects a row outside the table', () => {
    const model = new StudentModel(SIZE, V, T, 2, 0, new Rng(3));
    expect(() => new PinnedRows(model.encoder.tokenEmbedding, [V])).toThrow(/outside the table/);
    model.dispose();
  });
});
