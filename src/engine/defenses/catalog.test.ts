import { describe, expect, it } from 'vitest';
import { DEFENSE_METHODS } from '../config';
import { configFromPreset } from '../presets';
import { basisIn, DEFENSE_IDS, DEFENSES, type DefenseInfo } from './catalog';
import { PROCEDURES } from './registry';

describe('the defense catalog and registry', () => {
  it('keeps the method ids that configs, links and results name, repairs before filters', () => {
    expect(DEFENSE_IDS).toEqual(['lora', 'w2sdefense', 'kd-only', 'fa-only', 'full-ft', 'fine-pruning', 'nad', 'onion', 'strip']);
    expect(DEFENSE_METHODS).toBe(DEFENSE_IDS);
    const kinds = DEFENSE_IDS.map((id) => DEFENSES[id].kind);
    expect(kinds.indexOf('filter')).toBe(kinds.lastIndexOf('repair') + 1);
    expect(DEFENSE_IDS.filter((id) => DEFENSES[id].kind === 'filter')).toEqual(['onion', 'strip']);
  });

  it('gives every defense a procedure, a distinct colour and a reference', () => {
    for (const id of DEFENSE_IDS) expect(typeof PROCEDURES[id].run, id).toBe('function');
    expect(Object.keys(PROCEDURES).sort()).toEqual([...DEFENSE_IDS].sort());
    const colours = DEFENSE_IDS.map((id) => DEFENSES[id].color);
    expect(new Set(colours).size).toBe(colours.length);
    for (const id of DEFENSE_IDS) expect(DEFENSES[id].reference.length, id).toBeGreaterThan(5);
  });

  it('a repair builds only on another repair of the catalog, found only when the run has it', () => {
    for (const id of DEFENSE_IDS) {
      const basis = (DEFENSES[id] as DefenseInfo).buildsOn;
      if (basis === undefined) continue;
      expect(DEFENSE_IDS, id).toContain(basis);
      expect([DEFENSES[id].kind, DEFENSES[basis as typeof id].kind], id).toEqual(['repair', 'repair']);
      expect(basis, id).not.toBe(id);
    }
    expect(basisIn('nad', ['lora', 'nad'])).toBe('lora');
    expect(basisIn('nad', ['w2sdefense', 'nad'])).toBeUndefined();
    expect(basisIn('lora', ['lora', 'nad'])).toBeUndefined();
  });

  it('the defense bench and the paper presets run every defense; the quick demo the paper\'s comparison', () => {
    for (const p of ['defense-bench', 'paper-sst2-badnet', 'paper-sst2-insent', 'paper-sst2-syntactic']) expect(configFromPreset(p).defense.methods, p).toEqual(DEFENSE_IDS);
    expect(configFromPreset('quick').defense.methods).toEqual(['lora', 'w2sdefense']);
  });
});
