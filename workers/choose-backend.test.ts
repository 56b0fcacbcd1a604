import { describe, expect, it } from 'vitest';
import { chooseBackend, nextBackend } from './choose-backend';
import type { BackendName } from './protocol';

/** A probe where the listed backends fail with a reason. */
function probe(failing: Partial<Record<BackendName, string>>) {
  const tried: BackendName[] = [];
  return {
    tried,
    probe: async (name: BackendName) => {
      tried.push(name);
      const reason = failing[name];
      if (reason) throw new Error(reason);
    },
  };
}

describe('chooseBackend', () => {
  it('takes the first backend that works, best first, with reasons for the ones skipped', async () => {
    const p = probe({ webgpu: 'no adapter', webgl: 'no OffscreenCanvas' });
    const report = await chooseBackend(p.probe);
    expect(report).toEqual({
      backend: 'wasm',
      skipped: [
        { backend: 'webgpu', reason: 'no adapter' },
        { backend: 'webgl', reason: 'no OffscreenCanvas' },
      ],
    });
    expect(p.tried).toEqual(['webgpu', 'webgl', 'wasm']);
  });

  it('passes on the chosen backend’s note on how it was set up', async () => {
    const report = await chooseBackend(async (name) => (name === 'webgpu' ? 'barrier-free kernels' : undefined));
    expect(report).toEqual({ backend: 'webgpu', skipped: [], note: 'barrier-free kernels' });
  });

  it('honours ?backend= and says why better ones were not tried', async () => {
    const p = probe({});
    const report = await chooseBackend(p.probe, 'wasm');
    expect(report.backend).toBe('wasm');
    expect(p.tried).toEqual(['wasm']);
    expect(report.skipped.map((s) => s.backend)).toEqual(['webgpu', 'webgl']);
    expect(report.skipped[0]?.reason).toContain('?backend=wasm');
  });

  it('falls back to the usual order when the override fails or is unknown', async () => {
    const failing = probe({ webgl: 'context lost' });
    expect((await chooseBackend(failing.probe, 'webgl')).backend).toBe('webgpu');
    expect(failing.tried).toEqual(['webgl', 'webgpu']);

    const unknown = await chooseBackend(probe({}).probe, 'cuda');
    expect(unknown.backend).toBe('webgpu');
    expect(unknown.skipped[0]?.reason).toContain('?backend=cuda is not a backend');
  });

  it('throws with every reason when nothing works', async () => {
    const p = probe({ webgpu: 'a', webgl: 'b', wasm: 'c', cpu: 'd' });
    await expect(chooseBackend(p.probe)).rejects.toThrow('webgpu: a; webgl: b; wasm: c; cpu: d');
  });

  it('offers the next backend after a failure', () => {
    expect(nextBackend('webgpu')).toBe('webgl');
    expect(nextBackend('cpu')).toBeUndefined();
  });
});
