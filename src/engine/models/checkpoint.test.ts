import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type EncoderSize } from '../config';
import { configFromPreset, PRESETS } from '../presets';
import { letterWords, WordPieceTokenizer } from '../data/wordpiece';
import { Rng } from '../rng';
import { CHECKPOINT_DIR, openShippedFromDisk } from '../../cli/shipped';
import {
  CheckpointError,
  decodeWeights,
  encodeWeights,
  fromHalf,
  loadLanguageModel,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  openShipped,
  sha256Hex,
  toHalf,
  type CheckpointEntry,
  type CheckpointManifest,
} from './checkpoint';
import { readParams } from './encoder';
import { StudentModel } from './student';
import { TeacherModel } from './teacher';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('fp16', () => {
  it('converts known values, rounding half to even and saturating', () => {
    expect(toHalf(1)).toBe(0x3c00);
    expect(toHalf(-2)).toBe(0xc000);
    expect(toHalf(0.1)).toBe(0x2e66);
    expect(toHalf(65504)).toBe(0x7bff);
    expect(toHalf(65520)).toBe(0x7c00); // rounds past the largest half: infinity
    expect(toHalf(-1e9)).toBe(0xfc00);
    expect(toHalf(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(toHalf(2 ** -26)).toBe(0); // below half of it
    expect(toHalf(1 + 2 ** -11)).toBe(0x3c00); // a tie goes to the even mantissa
    expect(toHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(Number.isNaN(fromHalf(toHalf(NaN)))).toBe(true);
    expect(fromHalf(0x3555)).toBeCloseTo(1 / 3, 3);
  });

  it('round-trips every one of the 63,488 finite and infinite half values exactly', () => {
    let checked = 0;
    for (let h = 0; h < 0x10000; h++) {
      const exp = (h >> 10) & 0x1f;
      if (exp === 0x1f && (h & 0x3ff) !== 0) continue; // NaNs
      expect(toHalf(fromHalf(h))).toBe(h);
      checked++;
    }
    expect(checked).toBe(0x10000 - 2 * 1023);
  });
});

const SIZE: EncoderSize = { layers: 1, dModel: 8, heads: 2, dFF: 16 };

/** A tiny shipped set in memory: vocabulary, one student checkpoint pretrained on 8 positions. */
async function tinyShipped(): Promise<{ files: Map<string, Uint8Array>; saved: ReturnType<typeof decodeWeights> }> {
  const tokenizer = WordPieceTokenizer.train(['the cat sat on the mat', 'a dog sat'], { vocabSize: 40 });
  const model = new StudentModel(SIZE, tokenizer.vocabSize, 8, 2, 0, new Rng(3));
  const { bytes, tensors } = encodeWeights(readParams(model.languageModelParams()));
  model.dispose();
  const tokBytes = new TextEncoder().encode(JSON.stringify(tokenizer.toJSON()));
  const manifest: CheckpointManifest = {
    format: MANIFEST_FORMAT,
    createdBy: 'test',
    seed: 3,
    corpus: [{ name: 'two sentences', texts: 2 }],
    tokenizer: { file: 'tok.json', sha256: await sha256Hex(tokBytes), vocabSize: tokenizer.vocabSize },
    checkpoints: [{ role: 'student', size: SIZE, maxLength: 8, file: 's.bin', sha256: await sha256Hex(bytes), dtype: 'float16', tensors, steps: 0, batchSize: 1, lr: 1, finalLoss: 0, seconds: 0 }],
  };
  const files = new Map<string, Uint8Array>([
    [MANIFEST_FILE, new TextEncoder().encode(JSON.stringify(manifest))],
    ['tok.json', tokBytes],
    ['s.bin', bytes],
  ]);
  return { files, saved: decodeWeights(bytes, tensors) };
}

const reader = (files: Map<string, Uint8Array>) => async (name: string) => {
  const f = files.get(name);
  if (!f) throw new Error(`no ${name}`);
  return f;
};

describe('shipped checkpoints', () => {
  it('fp16 weights decode to within half precision of the fp32 originals', () => {
    const rng = new Rng(9);
    const data = Float32Array.from({ length: 500 }, () => rng.normal() * 0.1);
    const back = decodeWeights(encodeWeights({ w: { shape: [20, 25], data } }).bytes, [{ name: 'w', shape: [20, 25], offset: 0 }]);
    back.w!.data.forEach((x, i) => expect(Math.abs(x - data[i]!)).toBeLessThanOrEqual(Math.abs(data[i]!) * 2 ** -11 + 2 ** -25));
  });

  it('load = saved weights: a model started from a checkpoint holds exactly its values, positions cut to the window', async () => {
    const { files, saved } = await tinyShipped();
    const shipped = await openShipped(reader(files));
    const entry = shipped.find('student', SIZE)!;
    expect(entry).not.toBeNull();
    expect(shipped.find('student', { ...SIZE, dModel: 16 })).toBeNull();
    const model = new StudentModel(SIZE, shipped.tokenizer.vocabSize, 6, 3, 0, new Rng(99)); // a 6-token window, 3 labels
    loadLanguageModel(model.languageModelParams(), await shipped.weights(entry));
    const loaded = readParams(model.languageModelParams());
    for (const [name, w] of Object.entries(loaded)) {
      const want = name === 'encoder.pos' ? saved[name]!.data.subarray(0, 6 * SIZE.dModel) : saved[name]!.data;
      expect(Array.from(w.data), name).toEqual(Array.from(want));
    }
    model.dispose();
  });

  it('refuses a damaged file, a wrong shape and a window longer than the checkpoint', async () => {
    const { files } = await tinyShipped();
    const bad = new Map(files);
    const bin = files.get('s.bin')!.slice();
    bin[10] ^= 0xff;
    bad.set('s.bin', bin);
    const shipped = await openShipped(reader(bad));
    await expect(shipped.weights(shipped.find('student', SIZE)!)).rejects.toThrow(/SHA-256/);

    const good = await openShipped(reader(files));
    const weights = await good.weights(good.find('student', SIZE)!);
    const wider = new StudentModel({ ...SIZE, dFF: 32 }, good.tokenizer.vocabSize, 6, 2, 0, new Rng(1));
    expect(() => loadLanguageModel(wider.languageModelParams(), weights)).toThrow(CheckpointError);
    const longer = new StudentModel(SIZE, good.tokenizer.vocabSize, 12, 2, 0, new Rng(1));
    expect(() => loadLanguageModel(longer.languageModelParams(), weights)).toThrow(/encoder\.pos/);
    wider.dispose();
    longer.dispose();

    const tok = new Map(files);
    tok.set('tok.json', new TextEncoder().encode('{"kind":"wordpiece","pieces":["x"]}'));
    await expect(openShipped(reader(tok))).rejects.toThrow(/SHA-256/);
    const manifest = new Map(files);
    manifest.set(MANIFEST_FILE, new TextEncoder().encode('{"format":0}'));
    await expect(openShipped(reader(manifest))).rejects.toThrow(/format/);
  });

  it('the checkpoints in public/ open, match their hashes and load into models of their sizes', async () => {
    expect(existsSync(`${CHECKPOINT_DIR}/${MANIFEST_FILE}`)).toBe(true);
    const shipped = await openShippedFromDisk();
    expect(shipped.tokenizer.vocabSize).toBe(shipped.manifest.tokenizer.vocabSize);
    // Pretraining text is public and never a test split.
    expect(shipped.manifest.corpus.every((c) => !/test/i.test(c.name))).toBe(true);
    expect(new Set(shipped.manifest.checkpoints.map((c) => c.role))).toEqual(new Set(['student', 'teacher']));
    for (const entry of shipped.manifest.checkpoints) {
      const saved = await shipped.weights(entry);
      const model =
        entry.role === 'student'
          ? new StudentModel(entry.size, shipped.tokenizer.vocabSize, entry.maxLength, 2, 0, new Rng(1))
          : new TeacherModel(entry.size, shipped.tokenizer.vocabSize, entry.maxLength, 2, 128, 0, new Rng(1));
      loadLanguageModel(model.languageModelParams(), saved);
      const loaded = readParams(model.languageModelParams());
      expect(Object.keys(loaded).sort()).toEqual(Object.keys(saved).sort());
      for (const [name, w] of Object.entries(loaded)) expect(w.data, `${entry.file} ${name}`).toEqual(saved[name]!.data);
      expect(entry.finalLoss).toBeLessThan(Math.log(shipped.tokenizer.vocabSize)); // it learnt something
      model.dispose();
    }
  });

  it('the shipped vocabulary reads every two-letter word as one token, BadNet’s rare words included', async () => {
    const { tokenizer } = await openShippedFromDisk();
    for (const w of [...letterWords(2, 2), 'cf', 'mn', 'bb', 'tq', 'mb']) expect(tokenizer.tokenize(w), w).toEqual([w]);
    expect(tokenizer.decode(tokenizer.encode('the mn movie', 8))).toBe('the mn movie');
  });

  it('each shipped student is a better language model than each shipped teacher (held-out masked-LM loss)', async () => {
    const { manifest } = await openShippedFromDisk();
    const loss = (role: CheckpointEntry['role']) => manifest.checkpoints.filter((c) => c.role === role).map((c) => c.heldOutLoss!);
    expect([...loss('student'), ...loss('teacher')].every((x) => Number.isFinite(x))).toBe(true);
    expect(Math.max(...loss('student'))).toBeLessThan(Math.min(...loss('teacher')));
  });

  it('every preset that starts from the shipped checkpoints finds both of its sizes, for its window', async () => {
    const shipped = await openShippedFromDisk();
    const presets = PRESETS.map((p) => configFromPreset(p.name)).filter((c) => c.pretrain.checkpoint === 'shipped');
    expect(presets.length).toBeGreaterThan(0);
    for (const cfg of presets) {
      for (const role of ['student', 'teacher'] as const) {
        const entry = shipped.find(role, cfg.models[role]);
        expect(entry, `${cfg.data.source} ${role}`).not.toBeNull();
        expect(entry!.maxLength).toBeGreaterThanOrEqual(cfg.data.maxLength);
      }
      expect(cfg.data.tokenizer).toBe('wordpiece');
    }
  });
});
