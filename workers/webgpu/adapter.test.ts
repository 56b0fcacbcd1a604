import { describe, expect, it } from 'vitest';
import { chooseKernelSet, isSoftwareRenderer, runsOnCpu, softwareGpuReason } from './adapter';

const swiftshader = { vendor: 'google', architecture: 'swiftshader' };
const nvidia = { vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA GeForce RTX 3060' };

describe('runsOnCpu', () => {
  it('is true for SwiftShader (by vendor, architecture or description) and for fallback adapters', () => {
    expect(runsOnCpu(swiftshader)).toBe(true);
    expect(runsOnCpu({ description: 'SwiftShader Device (Subzero)' })).toBe(true);
    expect(runsOnCpu({ vendor: 'mesa', isFallbackAdapter: true })).toBe(true);
  });

  it('is false for hardware GPUs and for an adapter that says nothing', () => {
    expect(runsOnCpu(nvidia)).toBe(false);
    expect(runsOnCpu({ vendor: 'apple', architecture: 'metal-3' })).toBe(false);
    expect(runsOnCpu({})).toBe(false);
  });
});

describe('chooseKernelSet', () => {
  it('picks the lab kernels on the CPU and tfjs kernels on a GPU, saying why', () => {
    expect(chooseKernelSet(swiftshader)).toEqual({ lab: true, device: 'google swiftshader', why: 'google swiftshader runs shaders on the CPU, where workgroup barriers are slow' });
    expect(chooseKernelSet(nvidia)).toEqual({ lab: false, device: 'nvidia ampere', why: 'nvidia ampere is a hardware GPU' });
  });

  it('follows ?kernels=tfjs|lab either way and names an unknown override as ignored', () => {
    expect(chooseKernelSet(swiftshader, 'tfjs')).toMatchObject({ lab: false, why: '?kernels=tfjs' });
    expect(chooseKernelSet(nvidia, 'lab')).toMatchObject({ lab: true, why: '?kernels=lab' });
    expect(chooseKernelSet({}, 'fast')).toEqual({ lab: false, device: 'this adapter', why: 'this adapter is a hardware GPU (?kernels=fast is not tfjs or lab, so it was ignored)' });
  });
});

describe('chooseKernelSet device names', () => {
  it('falls back to the description, then to the fallback flag, when vendor and architecture are empty', () => {
    expect(chooseKernelSet({ vendor: '', architecture: '', description: 'SwiftShader Device' }).device).toBe('SwiftShader Device');
    expect(chooseKernelSet({ isFallbackAdapter: true })).toMatchObject({ lab: true, device: 'a fallback adapter' });
  });
});

describe('software GPUs', () => {
  it('knows the software rasterizers by their WebGL renderer name, and not a hardware GPU', () => {
    for (const r of ['ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)', 'llvmpipe (LLVM 15.0.6, 256 bits)', 'Microsoft Basic Render Driver']) expect(isSoftwareRenderer(r), r).toBe(true);
    for (const r of ['ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0)', 'Apple M2', 'Mali-G78']) expect(isSoftwareRenderer(r), r).toBe(false);
  });

  it('say in one sentence why WASM is used instead, and how to override it', () => {
    const why = softwareGpuReason('webgpu', 'google swiftshader');
    expect(why).toMatch(/^google swiftshader draws WebGPU in software on the CPU, where WASM trains .* faster .*; \?backend=webgpu uses it anyway$/);
    expect(softwareGpuReason('webgl', 'llvmpipe')).toMatch(/WebGL in software.*\?backend=webgl/);
  });
});
