import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from './config';
import type { RunResults } from './events';
import { parseTriggerList, runSweep, SweepError, sweepCells, sweepRows } from './sweep';

describe('trigger sweep', () => {
  it('reads a typed trigger list', () => {
    expect(parseTriggerList('mn, cf\nI watched this 3D movie, syntactic')).toEqual([
      { kind: 'badnet', trigger: 'mn' },
      { kind: 'badnet', trigger: 'cf' },
      { kind: 'insent', trigger: 'I watched this 3D movie' },
      { kind: 'syntactic', trigger: '' },
    ]);
  });

  it('makes one validated config per trigger, with id-safe names', () => {
    const cells = sweepCells(DEFAULT_CONFIG, parseTriggerList('mn, I watched this 3D movie, syntactic'), 2);
    expect(cells.map((c) => c.name)).toEqual(['mn', 'i-watched-this-3d-movie', 'syntactic']);
    expect(cells[1]?.config.attack).toMatchObject({ kind: 'insent', trigger: 'I watched this 3D movie', budget: DEFAULT_CONFIG.attack.budget });
    expect(cells[0]?.config.defense).toBe(DEFAULT_CONFIG.defense);
    expect(() => sweepCells(DEFAULT_CONFIG, parseTriggerList('mn, MN'))).toThrow(SweepError);
    expect(() => sweepCells(DEFAULT_CONFIG, [])).toThrow(/at least one trigger/);
  });

  it('runs the cells in order and tabulates final CA and ASR per method', async () => {
    const cells = sweepCells(DEFAULT_CONFIG, parseTriggerList('mn, cf'));
    const result = (asr: number): RunResults => ({
      backend: 'cpu',
      config: DEFAULT_CONFIG,
      stages: {
        pretrain: { epochs: [], final: null, seconds: 0, samplesPerSecond: 0 },
        poison: { epochs: [], final: { ca: 0.9, asr }, seconds: 0, samplesPerSecond: 0 },
        'defense:w2sdefense': { epochs: [], final: { ca: 0.88, asr: asr / 4 }, seconds: 0, samplesPerSecond: 0 },
      },
    });
    const seen: string[] = [];
    const out = await runSweep(cells, async (cell, i) => (seen.push(cell.name), result(i === 0 ? 1 : 0.8)));
    expect(seen).toEqual(['mn', 'cf']);
    expect(sweepRows(out)).toEqual([
      { trigger: 'mn', method: 'poisoned', ca: 0.9, asr: 1 },
      { trigger: 'mn', method: 'w2sdefense', ca: 0.88, asr: 0.25 },
      { trigger: 'cf', method: 'poisoned', ca: 0.9, asr: 0.8 },
      { trigger: 'cf', method: 'w2sdefense', ca: 0.88, asr: 0.2 },
    ]);
  });
});
