import { describe, expect, it } from 'vitest';
import { browserLaneCount } from './worker-lanes';

describe('defense lanes in the browser', () => {
  it('one per core beyond the lab worker’s, at most 3, on WASM only', () => {
    expect([1, 2, 4, 8].map((cores) => browserLaneCount('wasm', cores))).toEqual([0, 1, 3, 3]);
    for (const backend of ['webgpu', 'webgl', 'cpu'] as const) expect(browserLaneCount(backend, 8)).toBe(0);
  });

  it('?lanes=N decides where it is a whole number, 0 turning lanes off; anything else is ignored', () => {
    expect(browserLaneCount('wasm', 2, '0')).toBe(0);
    expect(browserLaneCount('wasm', 2, '3')).toBe(3);
    expect(browserLaneCount('wasm', 2, '99')).toBe(8);
    expect(browserLaneCount('wasm', 2, 'two')).toBe(1);
    expect(browserLaneCount('wasm', 2, '-1')).toBe(1);
    expect(browserLaneCount('webgpu', 8, '2')).toBe(0);
  });
});
