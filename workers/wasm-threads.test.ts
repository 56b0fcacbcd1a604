import { describe, expect, it } from 'vitest';
import { MAX_WASM_THREADS, wasmThreadPlan, withLogicalCores, type WasmPlatform } from './wasm-threads';

const ISOLATED: WasmPlatform = { isolated: true, threadsSupported: true, simdSupported: true, cores: 2 };

describe('WASM thread plan', () => {
  it('gives one thread per logical core but one on an isolated page (at least 1, at most the pool), and says so', () => {
    expect(wasmThreadPlan(ISOLATED).threads).toBe(1);
    expect(wasmThreadPlan({ ...ISOLATED, cores: 4 }).threads).toBe(3);
    expect(wasmThreadPlan({ ...ISOLATED, cores: 1 }).threads).toBe(1);
    expect(wasmThreadPlan({ ...ISOLATED, cores: 64 }).threads).toBe(MAX_WASM_THREADS);
    expect(wasmThreadPlan({ ...ISOLATED, cores: 4 }).describe(3)).toBe('WASM, 3 threads (threaded SIMD binary, 4 logical cores)');
  });

  it('takes ?threads= when it is a whole number ≥ 1, capped at the preallocated pool', () => {
    expect(wasmThreadPlan({ ...ISOLATED, requested: '2' }).threads).toBe(2);
    expect(wasmThreadPlan({ ...ISOLATED, requested: '2' }).describe(2)).toBe('WASM, 2 threads (threaded SIMD binary, 2 logical cores)');
    expect(wasmThreadPlan({ ...ISOLATED, cores: 4, requested: '1' }).describe(1)).toMatch(/^WASM, 1 thread \(/);
    const many = wasmThreadPlan({ ...ISOLATED, requested: '32' });
    expect(many.threads).toBe(MAX_WASM_THREADS);
    expect(many.describe(8)).toMatch(/capped at 8/);
    for (const bad of ['0', '-2', '1.5', 'lots']) {
      const plan = wasmThreadPlan({ ...ISOLATED, requested: bad });
      expect(plan.threads).toBe(1);
      expect(plan.describe(1)).toContain(`?threads=${bad} ignored`);
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
