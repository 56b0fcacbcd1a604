import { describe, expect, it } from 'vitest';
import type { SavedWeights } from '../cache';
import { probeBackdoorLocation, studentParts, withPartReset } from './backdoor-location';

const w = (shape: number[], values: number[]) => ({ shape, data: Float32Array.from(values) });

// A 4-row, 2-wide embedding table, one block weight, a head.
const BEFORE: SavedWeights = {
  'encoder.tok': w([4, 2], [0, 0, 1, 1, 2, 2, 3, 3]),
  'encoder.blocks.0.q.W': w([1, 2], [5, 5]),
  'head.W': w([2, 1], [1, 1]),
};
const POISONED: SavedWeights = {
  'encoder.tok': w([4, 2], [0, 0, 9, 9, 2, 2, 8, 8]),
  'encoder.blocks.0.q.W': w([1, 2], [6, 7]),
  'head.W': w([2, 1], [4, 4]),
};

describe('withPartReset', () => {
  it('puts back only the named rows of a weight', () => {
    const out = withPartReset(POISONED, BEFORE, { part: 'trigger rows', weights: { 'encoder.tok': [1] } });
    expect(Array.from(out['encoder.tok']!.data)).toEqual([0, 0, 1, 1, 2, 2, 8, 8]);
    expect(out['encoder.blocks.0.q.W']).toBe(POISONED['encoder.blocks.0.q.W']);
    expect(Array.from(POISONED['encoder.tok']!.data)).toEqual([0, 0, 9, 9, 2, 2, 8, 8]); // input untouched
  });

  it('puts back whole weights', () => {
    const out = withPartReset(POISONED, BEFORE, { part: 'block 1', weights: { 'encoder.blocks.0.q.W': null } });
    expect(Array.from(out['encoder.blocks.0.q.W']!.data)).toEqual([5, 5]);
    expect(out['encoder.tok']).toBe(POISONED['encoder.tok']);
  });

  it('names the weight it cannot reset', () => {
    expect(() => withPartReset(POISONED, BEFORE, { part: 'x', weights: { missing: null } })).toThrow(/"missing"/);
    const bad = { ...BEFORE, 'head.W': w([1, 2], [1, 1]) };
    expect(() => withPartReset(POISONED, bad, { part: 'head', weights: { 'head.W': null } })).toThrow(/shape/);
  });
});

describe('studentParts', () => {
  const names = ['encoder.tok', 'encoder.blocks.0.q.W', 'encoder.blocks.0.q.b', 'encoder.blocks.1.ff1.W', 'head.W', 'head.b'];

  it('probes the trigger rows, each block and the head', () => {
    const parts = studentParts(names, [3], 2, true);
    expect(parts.map((p) => p.part)).toEqual(['trigger rows', 'block 1', 'block 2', 'head']);
    expect(parts[1]!.weights).toEqual({ 'encoder.blocks.0.q.W': null, 'encoder.blocks.0.q.b': null });
    expect(parts[2]!.weights).toEqual({ 'encoder.blocks.1.ff1.W': null });
  });

  it('skips trigger rows for a trigger without tokens of its own, and a head with no trained predecessor', () => {
    expect(studentParts(names, [], 1, false).map((p) => p.part)).toEqual(['block 1']);
  });
});

describe('probeBackdoorLocation', () => {
  it('scores the poisoned weights with each part reset in turn', async () => {
    const parts = studentParts(Object.keys(POISONED), [1, 3], 1, true);
    // A stand-in scorer: ASR is the trigger rows' first value / 10.
    const probes = await probeBackdoorLocation(POISONED, BEFORE, parts, async (weights) => {
      const tok = weights['encoder.tok']!.data;
      return { ca: 0.8, asr: (tok[2]! + tok[6]!) / 20, asrBase: 0.1 };
    });
    expect(probes).toEqual([
      { part: 'trigger rows', ca: 0.8, asr: (1 + 3) / 20, asrBase: 0.1 },
      { part: 'block 1', ca: 0.8, asr: (9 + 8) / 20, asrBase: 0.1 },
      { part: 'head', ca: 0.8, asr: (9 + 8) / 20, asrBase: 0.1 },
    ]);
  });
});
