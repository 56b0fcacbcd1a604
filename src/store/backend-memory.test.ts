import { describe, expect, it } from 'vitest';
import { measurementKey, type Measurement } from '../../workers/measured-choice';
import { readMeasurements, rememberMeasurement } from './backend-memory';

/** localStorage's two methods over a map; `full` makes writes fail as a full quota does. */
function fakeStorage(initial: Record<string, string> = {}, full = false) {
  const items = new Map(Object.entries(initial));
  return {
    items,
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => {
      if (full) throw new DOMException('quota', 'QuotaExceededError');
      items.set(k, v);
    },
  };
}

const measured: Measurement = { key: measurementKey({ isFallbackAdapter: true }, 'UA', false), backend: 'wasm', wasmStepMs: 30, webgpuStepMs: null, device: 'a fallback adapter', measuredAt: 1 };
const report = (remembered: boolean) => ({ backend: 'wasm' as const, skipped: [], measured: { ...measured, remembered } });

describe('the page’s memory of backend measurements', () => {
  it('keeps a measurement taken now and hands it back on the next visit', () => {
    const storage = fakeStorage();
    expect(readMeasurements(storage)).toEqual([]);
    rememberMeasurement(storage, report(false));
    expect(readMeasurements(storage)).toEqual([measured]);
  });

  it('does not write again what was remembered, nor a report without a measurement', () => {
    const storage = fakeStorage();
    rememberMeasurement(storage, report(true));
    rememberMeasurement(storage, { backend: 'webgpu', skipped: [] });
    expect(storage.items.size).toBe(0);
  });

  it('treats storage that holds something else, or cannot be used, as empty', () => {
    expect(readMeasurements(fakeStorage({ 'w2s-backend-measurements': '{not json' }))).toEqual([]);
    expect(readMeasurements(fakeStorage({ 'w2s-backend-measurements': '{"backend":"wasm"}' }))).toEqual([]);
    expect(readMeasurements(fakeStorage({ 'w2s-backend-measurements': JSON.stringify([{ key: 'x' }, measured]) }))).toEqual([measured]);
    expect(readMeasurements(undefined)).toEqual([]);
    expect(() => rememberMeasurement(fakeStorage({}, true), report(false))).not.toThrow();
  });
});
