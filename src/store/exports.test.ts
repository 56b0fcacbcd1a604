import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../engine/config';
import type { RunResults } from '../engine/events';
import { configJson, parseConfigFile, resultsCsv } from './exports';

const results: RunResults = {
  backend: 'cpu',
  config: DEFAULT_CONFIG,
  stages: {
    pretrain: { epochs: [{ epoch: 1, loss: 5 }], final: null, seconds: 1, samplesPerSecond: 1 },
    poison: { epochs: [{ epoch: 1, loss: 0.7, ca: 0.8, asr: 0.9, devAsr: 0.85 }, { epoch: 2, loss: 0.5, ca: 0.85, asr: 1, devAsr: 0.96 }], final: { ca: 0.85, asr: 1, asrBase: 0.1 }, seconds: 1, samplesPerSecond: 1 },
    'defense:w2sdefense': { epochs: [{ epoch: 1, loss: 1.5, ca: 0.8, asr: 0.2, asrBase: 0.15, devAcc: 0.75, terms: { ce: 0.3, kd: 0.2, fa: 0.1 } }], final: { ca: 0.8, asr: 0.2, asrBase: 0.1 }, seconds: 1, samplesPerSecond: 1 },
  },
};

describe('exports', () => {
  it('writes one CSV row per method-epoch, pretraining left out', () => {
    expect(resultsCsv(results).trim().split('\n')).toEqual([
      'method,stage,epoch,ca,asr,asr_base,loss,dev_acc,dev_asr,ce,kd,fa',
      'poisoned,poison,1,0.8,0.9,,0.7,,0.85,,,',
      'poisoned,poison,2,0.85,1,,0.5,,0.96,,,',
      'w2sdefense,defense:w2sdefense,1,0.8,0.2,0.15,1.5,0.75,,0.3,0.2,0.1',
    ]);
  });

  it('reads back the config it wrote, and the config of a results file', () => {
    const count = () => 2;
    expect(parseConfigFile('c.json', configJson(DEFAULT_CONFIG), count)).toEqual({ ok: true, config: DEFAULT_CONFIG });
    expect(parseConfigFile('r.json', JSON.stringify(results), count)).toEqual({ ok: true, config: DEFAULT_CONFIG });
  });

  it('names the file and the bad fields of a bad config', () => {
    const bad = parseConfigFile('bad.json', JSON.stringify({ ...DEFAULT_CONFIG, seed: 'x', attack: { ...DEFAULT_CONFIG.attack, targetLabel: 5 } }), () => 2);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toMatch(/bad\.json.*seed.*attack\.targetLabel/);
    const notJson = parseConfigFile('x.json', '{nope', () => 2);
    expect(!notJson.ok && notJson.message.startsWith('x.json is not JSON')).toBe(true);
  });
});
