import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EncoderSize } from '../config';
import { Rng } from '../rng';
import { Encoder, readParams, type NamedWeights } from './encoder';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SIZE: EncoderSize = { layers: 2, dModel: 8, heads: 2, dFF: 16 };
const V = 20;
const MAX_LEN = 8;

/** A tiny encoder with weights large enough that every path matters (the 0.02 init is nearly linear). */
function tinyEncoder(seed = 1): Encoder {
  const enc = new Encoder(SIZE, V, MAX_LEN, 0.1, new Rng(seed));
  const rng = new Rng(seed + 100);
  for (const p of enc.params()) {
    if (p.name.endsWith('gamma')) continue;
    const n = p.variable.size;
    p.variable.assign(tf.tensor(Float32Array.from({ length: n }, () => 0.4 * rng.normal()), p.variable.shape));
  }
  return enc;
}

// ---- a plain float64 reference of the same encoder --------------------------------------------------

function erf(x: number): number {
  // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7).
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

type M = number[][];
const mat = (w: NamedWeights[string], rows: number, cols: number): M =>
  Array.from({ length: rows }, (_, i) => Array.from(w.data.subarray(i * cols, (i + 1) * cols)));
const vec = (w: NamedWeights[string]) => Array.from(w.data);
const affine = (x: M, W: M, b: number[]) => x.map((row) => b.map((bj, j) => bj + row.reduce((s, xi, i) => s + xi * W[i]![j]!, 0)));
function layerNorm(x: M, g: number[], b: number[]): M {
  return x.map((row) => {
    const mean = row.reduce((s, v) => s + v, 0) / row.length;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / row.length;
    return row.map((v, i) => ((v - mean) / Math.sqrt(variance + 1e-5)) * g[i]! + b[i]!);
  });
}

/** One sequence: ids [T] → hidden [T][d]. */
function reference(ids: number[], w: NamedWeights, size: EncoderSize): M {
  const { dModel: d, heads: H, dFF } = size;
  const D = d / H;
  const tok = mat(w.tok!, V, d);
  const pos = mat(w.pos!, MAX_LEN, d);
  let x: M = ids.map((id, t) => tok[id]!.map((v, j) => v + pos[t]![j]!));
  for (let l = 0; l < size.layers; l++) {
    const p = (name: string) => w[`blocks.${l}.${name}`]!;
    const h = layerNorm(x, vec(p('ln1.gamma')), vec(p('ln1.beta')));
    const q = affine(h, mat(p('q.W'), d, d), vec(p('q.b')));
    const k = affine(h, mat(p('k.W'), d, d), vec(p('k.b')));
    const v = affine(h, mat(p('v.W'), d, d), vec(p('v.b')));
    const ctx: M = ids.map(() => new Array(d).fill(0));
    for (let hd = 0; hd < H; hd++) {
      for (let i = 0; i < ids.length; i++) {
        const s = ids.map((id, j) => {
          let dot = 0;
          for (let e = 0; e < D; e++) dot += q[i]![hd * D + e]! * k[j]![hd * D + e]!;
          return id === 0 ? -Infinity : dot / Math.sqrt(D);
        });
        const mx = Math.max(...s);
        const ex = s.map((z) => Math.exp(z - mx));
        const sum = ex.reduce((a, b) => a + b, 0);
        for (let j = 0; j < ids.length; j++) for (let e = 0; e < D; e++) ctx[i]![hd * D + e]! += (ex[j]! / sum) * v[j]![hd * D + e]!;
      }
    }
    const o = affine(ctx, mat(p('o.W'), d, d), vec(p('o.b')));
    x = x.map((row, i) => row.map((val, j) => val + o[i]![j]!));
    const h2 = layerNorm(x, vec(p('ln2.gamma')), vec(p('ln2.beta')));
    const f1 = affine(h2, mat(p('ff1.W'), d, dFF), vec(p('ff1.b'))).map((row) => row.map((z) => 0.5 * z * (1 + erf(z / Math.SQRT2))));
    const f2 = affine(f1, mat(p('ff2.W'), dFF, d), vec(p('ff2.b')));
    x = x.map((row, i) => row.map((val, j) => val + f2[i]![j]!));
  }
  return layerNorm(x, vec(w['final.gamma']!), vec(w['final.beta']!));
}

const IDS = [
  [1, 5, 7, 3, 0, 0],
  [1, 9, 2, 11, 19, 4],
];

describe('Encoder', () => {
  it('matches a plain float64 reference (attention, mask, pre-LN, GELU) and has shape [B, T, d]', () => {
    const enc = tinyEncoder();
    const out = enc.apply(tf.tensor2d(IDS, undefined, 'int32'), false);
    expect(out.shape).toEqual([2, 6, 8]);
    const got = out.arraySync();
    const w = readParams(enc.params());
    IDS.forEach((ids, b) => {
      const ref = reference(ids, w, SIZE);
      ids.forEach((id, t) => {
        if (id === 0) return; // padding rows are not used downstream
        ref[t]!.forEach((v, j) => expect(Math.abs(got[b]![t]![j]! - v)).toBeLessThan(1e-4));
      });
    });
  });

  it('padding is invisible: more PAD positions, or a different PAD embedding, leave the other outputs alone', () => {
    const enc = tinyEncoder();
    const short = enc.apply(tf.tensor2d([[1, 5, 7, 3]], undefined, 'int32'), false);
    const long = enc.apply(tf.tensor2d([[1, 5, 7, 3, 0, 0, 0, 0]], undefined, 'int32'), false);
    const diff = tf.max(tf.abs(tf.sub(short, tf.slice(long, [0, 0, 0], [1, 4, 8])))).dataSync()[0]!;
    expect(diff).toBeLessThan(1e-5);
    const ids = tf.tensor2d([[1, 5, 7, 3, 0, 0]], undefined, 'int32');
    const before = tf.slice(enc.apply(ids, false), [0, 0, 0], [1, 4, 8]);
    const tok = enc.tokenEmbedding;
    tok.assign(tf.concat([tf.fill([1, 8], 3.7), tf.slice(tok, [1, 0], [V - 1, 8])], 0)); // change PAD's row
    const after = tf.slice(enc.apply(ids, false), [0, 0, 0], [1, 4, 8]);
    expect(tf.max(tf.abs(tf.sub(before, after))).dataSync()[0]!).toBeLessThan(1e-5);
  });

  it('hiddenAt gives the rows of hidden at one token per sequence, with padding, adapters and a pruned FFN, at any depth', () => {
    for (const layers of [1, 3]) {
      const enc = new Encoder({ ...SIZE, layers }, V, MAX_LEN, 0.1, new Rng(11));
      const rng = new Rng(12);
      for (const p of enc.params()) p.variable.assign(tf.tensor(Float32Array.from({ length: p.variable.size }, () => 0.4 * rng.normal()), p.variable.shape));
      enc.attachLora({ rank: 2, alpha: 4, dropout: 0, targets: ['q', 'v', 'ff2'] }, new Rng(13));
      for (const v of enc.loraVariables()) v.assign(tf.tensor(Float32Array.from({ length: v.size }, () => 0.3 * rng.normal()), v.shape));
      enc.setFfnMask(layers - 1, Float32Array.from({ length: SIZE.dFF }, (_, i) => (i % 3 === 0 ? 0 : 1)));
      const ids = tf.tensor2d(IDS, undefined, 'int32');
      const all = enc.hidden(ids, false);
      for (const positions of [[3, 0], [0, 5], [2, 2]]) {
        const picked = enc.hiddenAt(ids, tf.tensor1d(positions, 'int32'));
        expect(picked.shape).toEqual([2, SIZE.dModel]);
        const rows = tf.tensor1d(positions.map((p, b) => b * IDS[0]!.length + p), 'int32');
        expect(tf.max(tf.abs(tf.sub(picked, tf.gather(all, rows)))).dataSync()[0]!).toBeLessThan(1e-5);
      }
      expect(() => enc.hiddenAt(ids, tf.tensor1d([1], 'int32'))).toThrow(/one token per sequence/);
      enc.dispose();
    }
  });

  it('passes a finite-difference gradient check wrt parameters of every kind (float32)', () => {
    const enc = tinyEncoder(3);
    const ids = tf.tensor2d(IDS, undefined, 'int32');
    const probe = tf.tensor(Float32Array.from({ length: 2 * 6 * 8 }, (_, i) => Math.sin(i + 1)), [2, 6, 8]);
    const loss = () => tf.sum(tf.mul(enc.apply(ids, false), probe)) as tf.Scalar;
    const params = enc.params();
    const picks: [string, number][] = [
      ['tok', 5 * 8 + 2],
      ['pos', 1 * 8 + 1],
      ['blocks.0.q.W', 3],
      ['blocks.0.k.W', 17],
      ['blocks.0.v.b', 2],
      ['blocks.1.o.W', 9],
      ['blocks.1.ff1.W', 40],
      ['blocks.1.ff2.b', 4],
      ['blocks.0.ln1.gamma', 1],
      ['final.beta', 0],
    ];
    const vars = picks.map(([name]) => params.find((p) => p.name === name)!.variable);
    const { grads } = tf.variableGrads(loss, vars);
    const h = 1e-2;
    for (const [k, [, index]] of picks.entries()) {
      const v = vars[k]!;
      const g = grads[v.name]!.dataSync()[index]!;
      const base = Float32Array.from(v.dataSync());
      const at = (delta: number) => {
        const moved = Float32Array.from(base);
        moved[index]! += delta;
        v.assign(tf.tensor(moved, v.shape));
        return loss().dataSync()[0]!;
      };
      const fd = (at(h) - at(-h)) / (2 * h);
      v.assign(tf.tensor(base, v.shape));
      expect(Math.abs(fd - g), `${picks[k]![0]}[${index}]: fd ${fd} vs grad ${g}`).toBeLessThan(2e-2 * (1 + Math.abs(g)));
    }
  });

  it('linears(targets) picks the named block linears; LoRA attaches to exactly those', () => {
    const enc = tinyEncoder();
    expect(enc.linears().length).toBe(12);
    expect(enc.linears(['q', 'v'])).toEqual([enc.blocks[0]!.q, enc.blocks[0]!.v, enc.blocks[1]!.q, enc.blocks[1]!.v]);
    enc.attachLora({ rank: 2, alpha: 4, dropout: 0, targets: ['q', 'ff2'] }, new Rng(1));
    expect(enc.hasLora).toBe(true);
    expect(enc.linears().filter((l) => l.hasLora)).toEqual([enc.blocks[0]!.q, enc.blocks[0]!.ff2, enc.blocks[1]!.q, enc.blocks[1]!.ff2]);
    expect(enc.loraVariables().length).toBe(8);
    enc.mergeLora();
    expect(enc.hasLora).toBe(false);
  });

  it('dropout: training outputs vary, evaluation outputs do not', () => {
    const enc = tinyEncoder();
    const ids = tf.tensor2d(IDS, undefined, 'int32');
    const d = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
    expect(d(enc.apply(ids, false), enc.apply(ids, false))).toBe(0);
    expect(d(enc.apply(ids, true), enc.apply(ids, true))).toBeGreaterThan(1e-3);
  });

  it('rejects sequences longer than maxLen', () => {
    const enc = tinyEncoder();
    expect(() => enc.apply(tf.zeros([1, MAX_LEN + 1], 'int32') as tf.Tensor2D, false)).toThrow(/maxLen/);
  });

  it('dispose frees every tensor it made', () => {
    const before = tf.memory().numTensors;
    const enc = new Encoder(SIZE, V, MAX_LEN, 0.1, new Rng(1));
    enc.attachLora({ rank: 2, alpha: 4, dropout: 0, targets: ['q', 'k', 'v', 'o', 'ff1', 'ff2'] }, new Rng(2));
    enc.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
