import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type ExperimentConfig } from '../engine/config';
import { configFromPreset } from '../engine/presets';
import { CONFIG_PATHS, setAt } from './config-paths';
import { isHidden, readHash, writeHash } from './url-state';

describe('URL hash ⇄ config', () => {
  it('round-trips every preset, every field of it', () => {
    for (const name of ['quick', 'paper-sst2-badnet', 'spam-badnet']) {
      const config = configFromPreset(name);
      const back = readHash(writeHash(config, []));
      expect(back.config).toEqual(config);
      expect(back.warnings).toEqual([]);
    }
  });

  it('round-trips awkward values: spaces, commas, +, unicode, tiny floats, booleans, lists', () => {
    let config: ExperimentConfig = structuredClone(DEFAULT_CONFIG);
    config = setAt(config, 'attack.trigger', 'I watched, this 3D+ movie ✓ & more');
    config = setAt(config, 'defense.lr', 1.5e-7);
    config = setAt(config, 'seed', 123456789);
    config = setAt(config, 'defense.selectBestByDev', true);
    config = setAt(config, 'defense.methods', ['w2sdefense', 'lora']);
    config = setAt(config, 'poison.lora.targets', ['q']);
    expect(readHash(writeHash(config, [])).config).toEqual(config);
  });

  it('writes the whole config, seed included', () => {
    const hash = writeHash(DEFAULT_CONFIG, []);
    for (const path of CONFIG_PATHS) expect(hash).toContain(`${path}=`);
    expect(hash).toContain(`seed=${DEFAULT_CONFIG.seed}`);
    // A list is one key, its items joined by commas.
    expect(hash).toContain(`defense.methods=${DEFAULT_CONFIG.defense.methods.join(',')}`);
    expect(hash).toContain(`poison.lora.targets=${DEFAULT_CONFIG.poison.lora.targets.join(',')}`);
  });

  it('starts from a preset and applies the keys after it', () => {
    const { config } = readHash('#preset=paper-sst2-insent&seed=7&data.maxTrain=100');
    expect(config).toEqual({ ...configFromPreset('paper-sst2-insent'), seed: 7, data: { ...configFromPreset('paper-sst2-insent').data, maxTrain: 100 } });
  });

  it('round-trips _hide keys, and hides groups by prefix', () => {
    const state = readHash('#attack.trigger_hide=true&defense_hide=true&presets_hide=1&seed_hide=false');
    expect(state.hidden).toEqual(['attack.trigger', 'defense', 'presets']);
    expect(readHash(writeHash(state.config, state.hidden)).hidden).toEqual(state.hidden);
    expect(isHidden(state.hidden, 'attack.trigger')).toBe(true);
    expect(isHidden(state.hidden, 'attack.kind')).toBe(false);
    expect(isHidden(state.hidden, 'defense.lora.rank')).toBe(true);
    expect(isHidden(state.hidden, 'defenses')).toBe(false);
  });

  it('ignores what it cannot use, saying why, and keeps the rest', () => {
    const state = readHash('#seed=abc&nope=1&data.maxTrain=50&preset=missing&bogus_hide=true&defense.selectBestByDev=yes');
    expect(state.config.seed).toBe(DEFAULT_CONFIG.seed);
    expect(state.config.data.maxTrain).toBe(50);
    expect(state.warnings).toHaveLength(5);
    expect(state.warnings.join('\n')).toMatch(/unknown preset "missing"/);
    expect(state.warnings.join('\n')).toMatch(/seed: "abc" is not a number/);
    expect(state.warnings.join('\n')).toMatch(/unknown setting "nope"/);
    expect(state.warnings.join('\n')).toMatch(/"bogus_hide" hides nothing/);
  });

  it('an empty hash is the default config', () => {
    expect(readHash('').config).toEqual(DEFAULT_CONFIG);
    expect(readHash('#').hidden).toEqual([]);
  });
});
