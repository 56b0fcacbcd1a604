import { describe, expect, it } from 'vitest';
import { applyPatch, DEFAULT_CONFIG, type ExperimentConfig } from './config';
import type { RunResults } from './events';
import { parseBudgetList, parseShard, parseTriggerList, runSweep, shardCells, SweepError, sweepCells, sweepRows } from './sweep';

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
    const cells = sweepCells(DEFAULT_CONFIG, { triggers: parseTriggerList('mn, I watched this 3D movie, syntactic') }, 2);
    expect(cells.map((c) => c.name)).toEqual(['mn', 'i-watched-this-3d-movie', 'syntactic']);
    expect(cells[1]?.config.attack).toMatchObject({ kind: 'insent', trigger: 'I watched this 3D movie', budget: DEFAULT_CONFIG.attack.budget, labelMode: DEFAULT_CONFIG.attack.labelMode });
    expect(cells[0]?.config.defense).toBe(DEFAULT_CONFIG.defense);
    expect(() => sweepCells(DEFAULT_CONFIG, { triggers: parseTriggerList('mn, MN') })).toThrow(SweepError);
    expect(() => sweepCells(DEFAULT_CONFIG, { triggers: [] })).toThrow(/at least one trigger/);
  });

  it('runs the cells in order and tabulates final CA and ASR per method', async () => {
    const cells = sweepCells(DEFAULT_CONFIG, { triggers: parseTriggerList('mn, cf') });
    const result = (config: ExperimentConfig, asr: number): RunResults => ({
      backend: 'cpu',
      config,
      stages: {
        pretrain: { epochs: [], final: null, seconds: 0, samplesPerSecond: 0 },
        poison: { epochs: [], final: { ca: 0.9, asr, asrBase: 0.1 }, seconds: 0, samplesPerSecond: 0 },
        'defense:w2sdefense': { epochs: [], final: { ca: 0.88, asr: asr / 4, asrBase: 0.1 }, seconds: 0, samplesPerSecond: 0 },
      },
    });
    const seen: string[] = [];
    const out = await runSweep(cells, async (cell, i) => (seen.push(cell.name), result(cell.config, i === 0 ? 1 : 0.8)));
    expect(seen).toEqual(['mn', 'cf']);
    const { budget, labelMode } = DEFAULT_CONFIG.attack;
    expect(sweepRows(out)).toEqual([
      { cell: 'mn', trigger: 'mn', budget, labelMode, method: 'poisoned', ca: 0.9, asr: 1, asrBase: 0.1 },
      { cell: 'mn', trigger: 'mn', budget, labelMode, method: 'w2sdefense', ca: 0.88, asr: 0.25, asrBase: 0.1 },
      { cell: 'cf', trigger: 'cf', budget, labelMode, method: 'poisoned', ca: 0.9, asr: 0.8, asrBase: 0.1 },
      { cell: 'cf', trigger: 'cf', budget, labelMode, method: 'w2sdefense', ca: 0.88, asr: 0.2, asrBase: 0.1 },
    ]);
  });
});

describe('budget and label-mode sweep', () => {
  const mn = parseTriggerList('mn');

  it('reads a typed budget list, and names what is not a positive number', () => {
    expect(parseBudgetList('0.05, 0.2\n1e-1')).toEqual([0.05, 0.2, 0.1]);
    expect(parseBudgetList('  ')).toEqual([]);
    expect(() => parseBudgetList('0.1, ten')).toThrow(/the budget "ten" is not a positive number/);
    expect(() => parseBudgetList('0')).toThrow(SweepError);
    expect(() => parseBudgetList('-5')).toThrow(/"-5" is not a positive number/);
    expect(() => parseBudgetList('Infinity')).toThrow(SweepError);
  });

  it('builds triggers × budgets × label modes, trigger outermost, with a suffix per swept axis', () => {
    const cells = sweepCells(DEFAULT_CONFIG, { triggers: parseTriggerList('mn, cf'), budgets: [0.1, 0.3], labelModes: ['clean', 'dirty'] }, 2);
    expect(cells.map((c) => c.name)).toEqual([
      'mn-budget-0.1-clean-label',
      'mn-budget-0.1-dirty-label',
      'mn-budget-0.3-clean-label',
      'mn-budget-0.3-dirty-label',
      'cf-budget-0.1-clean-label',
      'cf-budget-0.1-dirty-label',
      'cf-budget-0.3-clean-label',
      'cf-budget-0.3-dirty-label',
    ]);
    expect(cells[6]?.config.attack).toEqual({ ...DEFAULT_CONFIG.attack, kind: 'badnet', trigger: 'cf', budget: 0.3, labelMode: 'clean' });
    for (const c of cells) expect(c.name).toMatch(/^[a-z0-9.-]+$/);
  });

  it('keeps the base value, and no suffix, for an axis with one value or none', () => {
    expect(sweepCells(DEFAULT_CONFIG, { triggers: mn, budgets: [0.1, 0.2] }).map((c) => c.name)).toEqual(['mn-budget-0.1', 'mn-budget-0.2']);
    const byMode = sweepCells(DEFAULT_CONFIG, { triggers: mn, budgets: [], labelModes: ['clean', 'dirty'] });
    expect(byMode.map((c) => c.name)).toEqual(['mn-clean-label', 'mn-dirty-label']);
    expect(byMode.map((c) => c.config.attack.budget)).toEqual([DEFAULT_CONFIG.attack.budget, DEFAULT_CONFIG.attack.budget]);
    const one = sweepCells(DEFAULT_CONFIG, { triggers: mn, budgets: [0.2], labelModes: ['clean'] });
    expect(one.map((c) => [c.name, c.config.attack.budget, c.config.attack.labelMode])).toEqual([['mn', 0.2, 'clean']]);
  });

  it('validates each cell against the budget kind, naming the cell and the field', () => {
    expect(() => sweepCells(DEFAULT_CONFIG, { triggers: mn, budgets: [0.1, 1.5] })).toThrow(/^cell "mn-budget-1\.5": attack\.budget a poison rate must be in \(0, 1\], got 1\.5/);
    const counted = applyPatch(DEFAULT_CONFIG, { attack: { budgetKind: 'count', budget: 50 } });
    expect(sweepCells(counted, { triggers: mn, budgets: [20, 80] }).map((c) => c.config.attack.budget)).toEqual([20, 80]);
    expect(() => sweepCells(counted, { triggers: mn, budgets: [20, 0.5] })).toThrow(/cell "mn-budget-0\.5": attack\.budget a poison count must be an integer/);
    expect(() => sweepCells(DEFAULT_CONFIG, { triggers: mn, labelModes: ['clean', 'grey' as 'clean'] })).toThrow(/cell "mn-grey-label": attack\.labelMode must be clean or dirty/);
  });

  it('rejects a repeated budget, label mode or trigger', () => {
    expect(() => sweepCells(DEFAULT_CONFIG, { triggers: mn, budgets: [0.1, 0.10] })).toThrow(/the budget 0\.1 is listed twice/);
    expect(() => sweepCells(DEFAULT_CONFIG, { triggers: mn, labelModes: ['dirty', 'dirty'] })).toThrow(/the label mode "dirty" is listed twice/);
    expect(() => sweepCells(DEFAULT_CONFIG, { triggers: parseTriggerList('mn, MN'), budgets: [0.1, 0.2] })).toThrow(/the trigger "mn" is listed twice/);
  });

  it('fills each row with the cell, trigger, budget and label mode its run used', () => {
    const cells = sweepCells(DEFAULT_CONFIG, { triggers: parseTriggerList('I watched this 3D movie'), budgets: [0.1, 0.2], labelModes: ['clean'] });
    const done = cells.map((cell) => ({
      name: cell.name,
      results: { backend: 'cpu', config: cell.config, stages: { teacher: { epochs: [], final: { ca: 0.8, asr: 0.1, asrBase: 0.1 }, seconds: 0, samplesPerSecond: 0 } } } satisfies RunResults,
    }));
    expect(sweepRows(done)).toEqual([
      { cell: 'i-watched-this-3d-movie-budget-0.1', trigger: 'i-watched-this-3d-movie', budget: 0.1, labelMode: 'clean', method: 'teacher', ca: 0.8, asr: 0.1, asrBase: 0.1 },
      { cell: 'i-watched-this-3d-movie-budget-0.2', trigger: 'i-watched-this-3d-movie', budget: 0.2, labelMode: 'clean', method: 'teacher', ca: 0.8, asr: 0.1, asrBase: 0.1 },
    ]);
  });
});

describe('sweep shards', () => {
  it('reads i/N and refuses what is not a shard of N', () => {
    expect(parseShard('0/4')).toEqual({ index: 0, count: 4 });
    expect(parseShard(' 3 / 4 ')).toEqual({ index: 3, count: 4 });
    for (const bad of ['4/4', '1/0', '-1/2', '1.5/3', '1', 'a/b', '']) expect(() => parseShard(bad)).toThrow(SweepError);
    expect(() => parseShard('4/4')).toThrow(/write e\.g\. 0\/4 … 3\/4/);
  });

  it('deals the cells round-robin: every cell in exactly one shard, sweep order kept within each', () => {
    const cells = Array.from({ length: 7 }, (_, k) => k);
    const shards = [0, 1, 2].map((index) => shardCells(cells, { index, count: 3 }));
    expect(shards).toEqual([[0, 3, 6], [1, 4], [2, 5]]);
    expect(shards.flat().sort()).toEqual(cells);
    expect(shardCells(cells, { index: 0, count: 1 })).toEqual(cells);
    // More shards than cells: the extra shards run nothing, which merging accepts.
    expect(shardCells([0, 1], { index: 2, count: 3 })).toEqual([]);
  });
});
