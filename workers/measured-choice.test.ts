import { describe, expect, it } from 'vitest';
import { fasterBackend, isMeasurement, KEPT_MEASUREMENTS, measuredSentence, measurementKey, MEASURE_VERSION, needsMeasuring, webGpuSkipReason, withMeasurement, type Measurement } from './measured-choice';

const swiftshader = { vendor: 'google', architecture: 'swiftshader', description: '' };
const fallback = { isFallbackAdapter: true };
const nvidia = { vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA GeForce RTX 3060' };
const UA = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0.0.0';

const measurement = (over: Partial<Measurement> = {}): Measurement => ({
  key: measurementKey(swiftshader, UA, false),
  backend: 'wasm',
  wasmStepMs: 40,
  webgpuStepMs: 124,
  device: 'google swiftshader',
  measuredAt: 1_700_000_000_000,
  ...over,
});

describe('which adapters are measured', () => {
  it('measures software and fallback adapters and ones that say nothing; a hardware GPU keeps WebGPU untested', () => {
    expect(needsMeasuring(swiftshader)).toBe(true);
    expect(needsMeasuring(fallback)).toBe(true);
    expect(needsMeasuring({})).toBe(true);
    expect(needsMeasuring({ vendor: '', architecture: '', description: '' })).toBe(true);
    expect(needsMeasuring(nvidia)).toBe(false);
    expect(needsMeasuring({ vendor: 'apple', architecture: 'metal-3' })).toBe(false);
  });
});

describe('the rule', () => {
  it('keeps WebGPU only when it finished and beat WASM', () => {
    expect(fasterBackend(40, 20)).toBe('webgpu');
    expect(fasterBackend(40, 124)).toBe('wasm');
    expect(fasterBackend(40, 40)).toBe('wasm');
    expect(fasterBackend(40, null)).toBe('wasm');
  });
});

describe('the badge’s sentence', () => {
  it('says in one plain sentence how much faster the chosen backend measured, and whether it was remembered', () => {
    expect(measuredSentence({ ...measurement(), remembered: false })).toBe('measured 3.1× faster here than this browser’s WebGPU (google swiftshader)');
    expect(measuredSentence({ ...measurement(), remembered: true })).toBe('measured 3.1× faster here than this browser’s WebGPU (google swiftshader) (remembered from an earlier visit)');
    expect(measuredSentence({ ...measurement({ backend: 'webgpu', webgpuStepMs: 20 }), remembered: false })).toBe('measured 2.0× faster here than WASM');
  });

  it('says when WebGPU did not finish in time, with WASM’s time', () => {
    expect(measuredSentence({ ...measurement({ webgpuStepMs: null, wasmStepMs: 8.46 }), remembered: false })).toBe('measured faster here: this browser’s WebGPU (google swiftshader) did not finish a training step within 1 s, WASM took 8.5 ms');
  });

  it('gives the figures and the override in the list of skipped backends', () => {
    expect(webGpuSkipReason({ ...measurement(), remembered: true })).toBe('google swiftshader runs WebGPU in software here: a training step took WASM 40 ms, WebGPU 124 ms, measured on an earlier visit; ?backend=webgpu uses it anyway');
  });
});

describe('the key a measurement is remembered under', () => {
  it('names the version, the adapter, whether WASM may run threads and the browser', () => {
    expect(measurementKey(swiftshader, UA, true)).toBe(`v${MEASURE_VERSION} | google / swiftshader /  /  | isolated | ${UA}`);
    expect(measurementKey(fallback, UA, false)).toBe(`v${MEASURE_VERSION} |  /  /  / fallback | not isolated | ${UA}`);
  });

  it('differs when any of them does', () => {
    const keys = [measurementKey(swiftshader, UA, false), measurementKey(swiftshader, UA, true), measurementKey(fallback, UA, false), measurementKey(swiftshader, `${UA} Edg/140`, false), measurementKey({ ...swiftshader, description: 'SwiftShader Device (Subzero)' }, UA, false)];
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('remembered measurements', () => {
  it('trusts a well-formed one of this version, and nothing else', () => {
    expect(isMeasurement(measurement())).toBe(true);
    expect(isMeasurement(measurement({ webgpuStepMs: null }))).toBe(true);
    expect(isMeasurement(JSON.parse(JSON.stringify(measurement())))).toBe(true);
    for (const bad of [null, 'wasm', [], measurement({ key: 'v0 | old' }), measurement({ backend: 'cpu' as 'wasm' }), measurement({ wasmStepMs: -1 }), measurement({ wasmStepMs: Number.NaN }), { ...measurement(), device: 3 }]) {
      expect(isMeasurement(bad), JSON.stringify(bad)).toBe(false);
    }
    // A record whose backend contradicts its own figures was not written by this rule.
    expect(isMeasurement(measurement({ backend: 'webgpu' }))).toBe(false);
  });

  it('keeps the newest per key, at most a few', () => {
    const first = measurement();
    const again = measurement({ wasmStepMs: 50, measuredAt: first.measuredAt + 1 });
    expect(withMeasurement([first], again)).toEqual([again]);
    const many = Array.from({ length: 12 }, (_, i) => measurement({ key: `${first.key} #${i}` }));
    const kept = many.reduce<Measurement[]>((list, m) => withMeasurement(list, m), []);
    expect(kept).toHaveLength(KEPT_MEASUREMENTS);
    expect(kept[0]).toBe(many[11]);
  });
});
