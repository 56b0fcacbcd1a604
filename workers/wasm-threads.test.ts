import { describe, expect, it } from 'vitest';
import { MAX_WASM_THREADS, wasmThreadPlan, withLogicalCores, type WasmPlatform } from './wasm-threads';

const ISOLATED: WasmPlatform = { isolated: true, threadsSupported: true, simdSupported: true, cores: 2 };

describe('WASM thread plan', () => {
  it('gives one thread per logical core on an isolated page, and says so', () => {
    const plan = wasmThreadPlan(ISOLATED);
    expect(plan.threads).toBe(2);
    expect(plan.describe(2)).toBe('WASM, 2 threads (threaded SIMD binary, 2 logical cores)');
    expect(wasmThreadPlan({ ...ISOLATED, cores: 64 }).threads).toBe(MAX_WASM_THREADS);
  });

  it('takes ?threads= when it is a whole number ≥ 1, capped at the preallocated pool', () => {
    expect(wasmThreadPlan({ ...ISOLATED, requested: '1' }).threads).toBe(1);
    expect(wasmThreadPlan({ ...ISOLATED, requested: '1' }).describe(1)).toMatch(/^WASM, 1 thread \(/);
    const many = wasmThreadPlan({ ...ISOLATED, requested: '32' });
    expect(many.threads).toBe(MAX_WASM_THREADS);
    expect(many.describe(8)).toMatch(/capped at 8/);
    for (const bad of ['0', '-2', '1.5', 'lots']) {
      const plan = wasmThreadPlan({ ...ISOLATED, requested: bad });
      expect(plan.threads).toBe(2);
      expect(plan.describe(2)).toContain(`?threads=${bad} ignored`);
    }
  });

  it('names why a run is single-threaded, most fundamental cause first', () => {
    const notIsolated = wasmThreadPlan({ ...ISOLATED, isolated: false, threadsSupported: false });
    expect(notIsolated.threads).toBe(0);
    expect(notIsolated.describe(1)).toMatch(/^WASM, 1 thread: the page is not cross-origin isolated.*COOP same-origin \+ COEP require-corp/);
    expect(wasmThreadPlan({ ...ISOLATED, threadsSupported: false }).describe(1)).toMatch(/no WebAssembly threads$/);
    expect(wasmThreadPlan({ ...ISOLATED, simdSupported: false }).describe(1)).toMatch(/no WebAssembly SIMD/);
  });
});

describe('the logical-core count tfjs reads while it starts', () => {
  class FakeNavigator {
    get hardwareConcurrency(): number {
      return 2;
    }
  }

  it('reports the given count inside, and the real one again after, even when starting fails', async () => {
    const nav = new FakeNavigator();
    expect(await withLogicalCores(nav, 4, async () => nav.hardwareConcurrency)).toBe(4);
    expect(nav.hardwareConcurrency).toBe(2);
    expect(Object.getOwnPropertyNames(nav)).toEqual([]);
    await expect(withLogicalCores(nav, 4, () => Promise.reject(new Error('no wasm')))).rejects.toThrow('no wasm');
    expect(nav.hardwareConcurrency).toBe(2);
    expect(await withLogicalCores(nav, undefined, async () => nav.hardwareConcurrency)).toBe(2);
  });
});
