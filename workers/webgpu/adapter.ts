/**
 * Which WebGPU adapters get the lab's barrier-free kernels. Kept apart from the kernels themselves so
 * the decision is unit-tested in Node and the kernels (and tfjs' WebGPU backend) load only when needed.
 */

/** Adapter facts that decide the kernels (`GPUAdapterInfo` fields, all optional in older browsers). */
export interface AdapterFacts {
  vendor?: string;
  architecture?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

/**
 * Whether the adapter executes shaders on the CPU, where barriers cost more than shared memory saves:
 * SwiftShader (Chromium's software WebGPU) or any adapter the browser marks as a fallback. Real GPUs
 * keep tfjs' tiled kernels.
 */
export function runsOnCpu(info: AdapterFacts): boolean {
  const text = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.description ?? ''}`.toLowerCase();
  return info.isFallbackAdapter === true || text.includes('swiftshader');
}

interface KernelChoice {
  /** Install the lab's kernels (true) or keep tfjs' (false). */
  lab: boolean;
  /** The adapter in words: vendor and architecture ("google swiftshader"), else its description. */
  device: string;
  /** Why, for the backend badge. */
  why: string;
}

/** The kernel set for `adapter`, honouring a `?kernels=tfjs|lab` override (anything else is ignored). */
export function chooseKernelSet(adapter: AdapterFacts, override?: string): KernelChoice {
  const device = [adapter.vendor, adapter.architecture].filter(Boolean).join(' ') || adapter.description || (adapter.isFallbackAdapter ? 'a fallback adapter' : 'this adapter');
  if (override === 'lab' || override === 'tfjs') return { lab: override === 'lab', device, why: `?kernels=${override}` };
  const ignored = override ? ` (?kernels=${override} is not tfjs or lab, so it was ignored)` : '';
  return runsOnCpu(adapter)
    ? { lab: true, device, why: `${device} runs shaders on the CPU, where workgroup barriers are slow${ignored}` }
    : { lab: false, device, why: `${device} is a hardware GPU${ignored}` };
}

/** A WebGL renderer string that names a software rasterizer (Chromium's SwiftShader, Mesa's llvmpipe, …). */
export function isSoftwareRenderer(renderer: string): boolean {
  return /swiftshader|llvmpipe|softpipe|software|basic render/i.test(renderer);
}

/**
 * Why the lab passes over a GPU backend that runs in software, in one plain sentence for the badge.
 * Measured on a 2-core machine without a GPU (Chromium's SwiftShader, docs/SPEED.md): the first chart
 * point after 46.9 s on software WebGPU against 8.7 s on WASM, the quick demo in 393 s against 61 s.
 * Software WebGL is passed over by this rule; a software WebGPU is timed against WASM instead
 * (`measured-choice.ts`), since its kernels, unlike WebGL's, are the lab's own and may win on some CPUs.
 */
export function softwareGpuReason(backend: 'webgpu' | 'webgl', device: string): string {
  return `${device} draws ${backend === 'webgpu' ? 'WebGPU' : 'WebGL'} in software on the CPU, where WASM trains this lab's models several times faster (measured without a GPU: the quick demo in 61 s on WASM, 393 s on software WebGPU); ?backend=${backend} uses it anyway`;
}
