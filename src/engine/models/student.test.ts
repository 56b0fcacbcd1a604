import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EncoderSize, LoraConfig } from '../config';
import { Rng } from '../rng';
import { predictProbabilities } from '../train/evaluate';
import { crossEntropy, mlmLoss } from '../train/losses';
import { AdamW, clipByGlobalNorm } from '../train/optimizer';
import { StudentModel } from './student';
import { TeacherModel } from './teacher';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const STUDENT: EncoderSize = { layers: 2, dModel: 16, heads: 2, dFF: 32 };
const TEACHER: EncoderSize = { layers: 1, dModel: 8, heads: 2, dFF: 16 };
const V = 30;
const T = 6;
const LORA: LoraConfig = { rank: 2, alpha: 4, dropout: 0.1, targets: ['q', 'k', 'v', 'o', 'ff1', 'ff2'] };
const ids = () => tf.tensor2d([[1, 5, 7, 3, 0, 0], [1, 9, 2, 11, 19, 4], [1, 4, 4, 0, 0, 0]], undefined, 'int32');
const labels = () => tf.tensor1d([0, 1, 1], 'int32');
const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

/** Nonzero B in every adapter, so that the adapters change the outputs. */
function perturbAdapters(model: StudentModel, seed: number): void {
  const rng = new Rng(seed);
  for (const v of model.loraVariables()) {
    v.assign(tf.tensor(Float32Array.from({ length: v.size }, () => 0.3 * rng.normal()), v.shape));
  }
}

describe('StudentModel', () => {
  it('classify: logits [B, C] and feature = final hidden state at [CLS] [B, d] with cls pooling', () => {
    const m = new StudentModel(STUDENT, V, T, 3, 0.1, new Rng(1), 'cls');
    const x = ids();
    const { logits, feature } = m.classify(x, false);
    expect(logits.shape).toEqual([3, 3]);
    expect(feature.shape).toEqual([3, 16]);
    const cls = tf.reshape(tf.slice(m.encoder.apply(x, false), [0, 0, 0], [3, 1, 16]), [3, 16]);
    expect(maxDiff(feature, cls)).toBe(0);
    m.dispose();
  });

  it('classifyWithEveryBlock: the final states, and each earlier block output through the final LayerNorm', () => {
    const m = new StudentModel({ ...STUDENT, layers: 3 }, V, T, 2, 0.1, new Rng(2));
    const x = ids();
    // Reference: the block outputs as the encoder's taps give them, normalised by hand with the final norm's own scale and shift.
    const taps = { blocks: [] as tf.Tensor2D[] };
    m.encoder.apply(x, false, taps);
    const [gamma, beta] = m.finalNormVariables();
    gamma!.assign(tf.tensor1d(Array.from({ length: 16 }, (_, i) => 0.5 + i / 16)));
    beta!.assign(tf.tensor1d(Array.from({ length: 16 }, (_, i) => 0.1 * (i - 8))));
    const plain = m.classifyWithStates(x, false);
    const deep = m.classifyWithEveryBlock(x, false);
    expect(maxDiff(deep.logits, plain.logits)).toBe(0);
    expect(maxDiff(deep.states, plain.states)).toBe(0);
    const byHand = (h: tf.Tensor2D) => {
      const { mean, variance } = tf.moments(h, -1, true);
      return tf.reshape(tf.add(tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma!), beta!), [3, T, 16]);
    };
    expect(deep.earlierStates).toHaveLength(2);
    deep.earlierStates.forEach((s, i) => expect(maxDiff(s, byHand(taps.blocks[i]!))).toBeLessThan(1e-4));
    // The last block's output through the same norm is the final states: why it is not repeated.
    expect(maxDiff(byHand(taps.blocks[2]!), plain.states)).toBeLessThan(1e-4);
    m.dispose();
  });

  it('classify with mean pooling (the default): feature = mean of final states over non-PAD tokens', async () => {
    const m = new StudentModel(STUDENT, V, T, 3, 0.1, new Rng(1));
    const x = ids();
    const { feature } = m.classify(x, false);
    const h = (await m.encoder.apply(x, false).array()) as number[][][];
    const rows = (await x.array()) as number[][];
    const expected = rows.map((row, b) => {
      const kept = row.map((id, t) => (id === 0 ? null : h[b]![t]!)).filter((v): v is number[] => v !== null);
      return kept[0]!.map((_, j) => kept.reduce((s, v) => s + v[j]!, 0) / kept.length);
    });
    expect(maxDiff(feature, tf.tensor2d(expected))).toBeLessThan(1e-5);
    m.dispose();
  });

  it('mlmLogits at masked positions equal the matching rows of the full projection', () => {
    const m = new StudentModel(STUDENT, V, T, 2, 0.1, new Rng(2));
    const positions = tf.tensor1d([1, 7, 9, 14], 'int32');
    const picked = m.mlmLogits(ids(), positions, false);
    expect(picked.shape).toEqual([4, V]);
    const all = m.mlmLogits(ids(), null, false);
    expect(all.shape).toEqual([18, V]);
    expect(maxDiff(picked, tf.gather(all, positions))).toBeLessThan(1e-6);
    m.dispose();
  });

  it('mlmLogitsAt, one token per row, equals those rows of mlmLogits', () => {
    const m = new StudentModel(STUDENT, V, T, 2, 0.1, new Rng(2));
    const within = [2, 5, 1]; // one token of each row
    const at = m.mlmLogitsAt(ids(), tf.tensor1d(within, 'int32'));
    const rows = tf.tensor1d(within.map((p, b) => b * T + p), 'int32');
    expect(maxDiff(at, m.mlmLogits(ids(), rows, false))).toBeLessThan(1e-5);
    m.dispose();
  });

  it('getWeights / setWeights round trip gives identical outputs in a model built from another seed', () => {
    const a = new StudentModel(STUDENT, V, T, 2, 0.1, new Rng(3));
    const b = new StudentModel(STUDENT, V, T, 2, 0.1, new Rng(4));
    expect(maxDiff(a.classify(ids(), false).logits, b.classify(ids(), false).logits)).toBeGreaterThan(0);
    b.setWeights(a.getWeights());
    expect(maxDiff(a.classify(ids(), false).logits, b.classify(ids(), false).logits)).toBe(0);
    expect(maxDiff(a.mlmLogits(ids(), null, false), b.mlmLogits(ids(), null, false))).toBe(0);
    a.dispose();
    b.dispose();
  });

  it('getWeights folds attached adapters in; mergeLora keeps outputs; setWeights drops adapters', () => {
    const a = new StudentModel(STUDENT, V, T, 2, 0.1, new Rng(5));
    a.attachLora(LORA, new Rng(6));
    perturbAdapters(a, 7);
    const withAdapters = a.classify(ids(), false).logits;
    const saved = a.getWeights();
    const b = new StudentModel(STUDENT, V, T, 2, 0.1, new Rng(8));
    b.attachLora(LORA, new Rng(9));
    b.setWeights(saved);
    expect(b.hasLora).toBe(false);
    expect(maxDiff(b.classify(ids(), false).logits, withAdapters)).toBeLessThan(1e-5);
    a.mergeLora();
    expect(a.hasLora).toBe(false);
    expect(maxDiff(a.classify(ids(), false).logits, withAdapters)).toBeLessThan(1e-5);
    a.dispose();
    b.dispose();
  });

  it('setWeights names the problem: missing weight, wrong shape', () => {
    const m = new StudentModel(STUDENT, V, T, 2, 0.1, new Rng(10));
    const w = m.getWeights();
    const { ['head.b']: _, ...missing } = w;
    expect(() => m.setWeights(missing)).toThrow(/head\.b/);
    expect(() => m.setWeights({ ...w, 'head.W': { shape: [16, 3], data: new Float32Array(48) } })).toThrow(/head\.W.*\[16,3\]/);
    m.dispose();
  });

  it('a LoRA step updates only the adapters and the head', () => {
    const m = new StudentModel(STUDENT, V, T, 2, 0.1, new Rng(11));
    m.attachLora(LORA, new Rng(12));
    const before = m.getWeights(); // adapters start at B = 0, so these are the base weights
    const vars = [...m.loraVariables(), ...m.headVariables()];
    const opt = new AdamW(vars, { weightDecay: 0.01 });
    const x = ids();
    const y = labels();
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => crossEntropy(m.classify(x, true).logits, y), vars);
      opt.step(grads, 1e-2);
    });
    const encoderBase = m.encoder.params('encoder.');
    for (const p of encoderBase) {
      expect(Array.from(p.variable.dataSync()), p.name).toEqual(Array.from(before[p.name]!.data));
    }
    expect(maxDiff(m.head.W, tf.tensor(before['head.W']!.data, [16, 2]))).toBeGreaterThan(0);
    const [, B0] = m.loraVariables();
    expect(tf.sum(tf.abs(B0!)).dataSync()[0]).toBeGreaterThan(0);
    opt.dispose();
    m.dispose();
  });

  it('leaks no tensors: forward + backward, then clip + AdamW step outside any tidy (LoRA, full, MLM), and a prediction', async () => {
    const m = new StudentModel(STUDENT, V, T, 2, 0.1, new Rng(13));
    const x = ids();
    const y = labels();
    const positions = tf.tensor1d([1, 2, 7], 'int32');
    const targets = tf.tensor1d([5, 7, 9], 'int32');
    const check = (vars: tf.Variable[], loss: () => tf.Scalar) => {
      const opt = new AdamW(vars, { weightDecay: 0.01 });
      // The forward graph is the caller's to free (fit takes the gradient in a tidy), so only that part
      // runs in one; what outlives it (a new variable, a kept tensor) still shows in the count. Clipping
      // and the update promise to free their own temporaries, so they run bare: a tidy around them
      // would free their leaks itself and the check would hold by construction.
      const step = () => {
        const { value, grads } = tf.tidy(() => tf.variableGrads(loss, vars));
        const clipped = clipByGlobalNorm(grads, 1);
        opt.step(clipped.grads, 1e-3);
        tf.dispose([value, clipped.norm, ...Object.values(grads), ...Object.values(clipped.grads)]);
      };
      step(); // warm-up (kernel registration)
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) step();
      expect(tf.memory().numTensors).toBe(before);
      opt.dispose();
    };
    check(m.classifierVariables(), () => crossEntropy(m.classify(x, true).logits, y));
    check(m.mlmVariables(), () => mlmLoss(m.mlmLogits(x, positions, true), targets));
    m.attachLora(LORA, new Rng(14));
    check([...m.loraVariables(), ...m.headVariables()], () => crossEntropy(m.classify(x, true).logits, y));
    // A prediction as the lab makes one (no tidy here): host probabilities out, no tensor left behind.
    const before = tf.memory().numTensors;
    const probs = await predictProbabilities(m, x);
    expect(tf.memory().numTensors).toBe(before);
    expect(probs).toHaveLength(3 * 2);
    for (let r = 0; r < 3; r++) expect(probs[2 * r]! + probs[2 * r + 1]!).toBeCloseTo(1, 5);
    tf.dispose([x, y, positions, targets]);
    m.dispose();
  });

  it('resetHead changes the number of classes; dispose frees everything', () => {
    const before = tf.memory().numTensors;
    const m = new StudentModel(STUDENT, V, T, 2, 0.1, new Rng(15));
    m.resetHead(4, new Rng(16));
    expect(m.numLabels).toBe(4);
    expect(tf.tidy(() => m.classify(ids(), false).logits.shape)).toEqual([3, 4]);
    m.attachLora(LORA, new Rng(17));
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('variable groups: adapters, head, MLM, classifier, all', () => {
    const m = new StudentModel(STUDENT, V, T, 2, 0.1, new Rng(18));
    expect(m.loraVariables()).toEqual([]);
    m.attachLora({ ...LORA, targets: ['q', 'v'] }, new Rng(19));
    expect(m.loraVariables().length).toBe(2 * 2 * 2); // layers × targets × (A, B)
    expect(m.headVariables()).toEqual([m.head.W, m.head.b]);
    expect(m.mlmVariables()).toContain(m.encoder.tokenEmbedding);
    expect(m.mlmVariables()).not.toContain(m.head.W);
    expect(m.classifierVariables()).toContain(m.head.W);
    expect(m.classifierVariables()).not.toContain(m.loraVariables()[0]);
    expect(m.allVariables().length).toBe(m.encoder.variables().length + 8 + 2 + 1);
    m.dispose();
  });
});

describe('TeacherModel', () => {
  it('classify: feature is the ReLU-projected [CLS] state at the student width; logits [B, C]', () => {
    const t = new TeacherModel(TEACHER, V, T, 2, 16, 0.1, new Rng(20));
    const { logits, feature } = t.classify(ids(), false);
    expect(logits.shape).toEqual([3, 2]);
    expect(feature.shape).toEqual([3, 16]);
    expect(tf.min(feature).dataSync()[0]).toBeGreaterThanOrEqual(0);
    expect(t.mlmLogits(ids(), tf.tensor1d([1, 2], 'int32'), false).shape).toEqual([2, V]);
    t.dispose();
  });

  it('get/setWeights round trip; full fine-tuning step leaks nothing; dispose frees everything', () => {
    const before = tf.memory().numTensors;
    const a = new TeacherModel(TEACHER, V, T, 2, 16, 0.1, new Rng(21));
    const b = new TeacherModel(TEACHER, V, T, 2, 16, 0.1, new Rng(22));
    b.setWeights(a.getWeights());
    expect(tf.tidy(() => maxDiff(a.classify(ids(), false).feature, b.classify(ids(), false).feature))).toBe(0);
    const vars = a.classifierVariables();
    expect(vars).toContain(a.proj.W);
    const opt = new AdamW(vars, { weightDecay: 0.01 });
    const x = ids();
    const y = labels();
    // The forward graph in a tidy (the caller's job), the update outside it (its own job): see the student test.
    const step = () => {
      const { value, grads } = tf.tidy(() => tf.variableGrads(() => crossEntropy(a.classify(x, true).logits, y), vars));
      opt.step(grads, 1e-3);
      tf.dispose([value, ...Object.values(grads)]);
    };
    step();
    const mid = tf.memory().numTensors;
    step();
    step();
    expect(tf.memory().numTensors).toBe(mid);
    opt.dispose();
    tf.dispose([x, y]);
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
