/**
 * Real backend probes for the browser worker: each backend is started and must compute a known value
 * before it is trusted (a driver can hand out an adapter and still return zeros). Backends are imported
 * on demand so a machine with WebGPU never downloads WASM, and vice versa.
 */
import * as tf from '@tensorflow/tfjs-core';
// The .wasm binaries, served by Vite as assets; tfjs would otherwise look for them beside the worker.
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { Probe } from './choose-backend';
import { chooseKernelSet, isSoftwareRenderer, softwareGpuReason, type AdapterFacts } from './webgpu/adapter';
import type { BackendName, EngineOverrides } from './protocol';
import { deviceName, isMeasurement, measurementKey, needsMeasuring, webGpuSkipReason, type MeasuredOutcome, type Measurement } from './measured-choice';
import { measureBackends } from './measure-backends';
import { withTimeout } from './timeout';
import { wasmThreadPlan, withLogicalCores } from './wasm-threads';
import { registerEngineKernels } from '../src/engine/kernels/register';

/** A lost GPU device reports here (reason and message from WebGPU). */
type DeviceLostListener = (message: string) => void;

/** The WebGPU device in use, once the probe has started it; `loseWebGpuDevice` destroys it. */
let gpuDevice: GPUDevice | undefined;
/** Set by `loseWebGpuDevice`: the coming 'destroyed' loss is the test's, not tfjs disposing its device. */
let lossProvoked = false;

/**
 * Test hook: destroys the WebGPU device, as a driver reset or an unplugged GPU would take it away, so the
 * real `device.lost` path runs. Returns false when WebGPU is not the backend.
 */
export function loseWebGpuDevice(): boolean {
  if (!gpuDevice) return false;
  lossProvoked = true;
  gpuDevice.destroy();
  return true;
}

/** How long a backend may take to compile its first kernels before it counts as broken. */
const PROBE_TIMEOUT_MS = 60_000;

/** What the page remembers of earlier measurements (`measured-choice.ts`), and where a new one is reported. */
export interface ChoiceMemory {
  remembered: readonly Measurement[];
  onMeasured(outcome: MeasuredOutcome): void;
}

const FORGETFUL: ChoiceMemory = { remembered: [], onMeasured: () => {} };

/**
 * `overrides.kernels`: `?kernels=` (`tfjs` or `lab`), else chosen by the adapter; `overrides.threads`:
 * `?threads=`, WASM threads, else one per logical core.
 */
export function browserProbe(onDeviceLost: DeviceLostListener, overrides: EngineOverrides = {}, memory: ChoiceMemory = FORGETFUL): Probe {
  return async (name: BackendName) => {
    switch (name) {
      case 'webgpu':
        return probeWebGpu(onDeviceLost, overrides, memory);
      case 'webgl': {
        if (typeof OffscreenCanvas === 'undefined') throw new Error('no OffscreenCanvas in workers, so no WebGL here');
        const renderer = webGlRenderer();
        if (overrides.backend !== 'webgl' && renderer && isSoftwareRenderer(renderer)) throw new Error(softwareGpuReason('webgl', renderer));
        await import('@tensorflow/tfjs-backend-webgl');
        return start('webgl');
      }
      case 'wasm':
        return startWasm(overrides.threads);
      case 'cpu':
        await import('@tensorflow/tfjs-backend-cpu');
        return start('cpu');
    }
  };
}

/**
 * A defense lane's backend (lane.worker.ts): WASM with one thread — each lane is there to use a core of
 * its own — checked like the main worker's.
 */
export function startLaneWasm(): Promise<string> {
  return startWasm('1');
}

/** The WASM backend's note, once started: the measurement may start it before the chain reaches it. */
let wasmStarted: Promise<string> | undefined;

/** Makes WASM the active backend, starting it the first time (tfjs takes its paths and threads only once). */
async function startWasm(threads: string | undefined): Promise<string> {
  if (wasmStarted) {
    const note = await wasmStarted;
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs could not switch back to the wasm backend');
    return note;
  }
  wasmStarted = setUpWasm(threads);
  wasmStarted.catch(() => (wasmStarted = undefined));
  return wasmStarted;
}

async function setUpWasm(threads: string | undefined): Promise<string> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlain,
    'tfjs-backend-wasm-simd.wasm': wasmSimd,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
  });
  const plan = wasmThreadPlan({
    isolated: globalThis.crossOriginIsolated === true,
    threadsSupported: (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true,
    simdSupported: (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true,
    cores: navigator.hardwareConcurrency || 1,
    requested: threads,
  });
  if (plan.threads > 0) wasm.setThreadsCount(plan.threads);
  // tfjs caps its pool at half the logical cores (see `withLogicalCores`); it reads the count once, as the module starts.
  await withLogicalCores(navigator, plan.threads > 0 ? 2 * plan.threads : undefined, () => start('wasm'));
  return plan.describe(wasm.getThreadsCount());
}

/**
 * `?backend=webgpu` uses the adapter whatever it is. Otherwise a hardware GPU is used at once, and a
 * software one (or one that says nothing of itself) only when a timed training step, measured now or
 * remembered from an earlier visit, found it faster than WASM (`measured-choice.ts`).
 */
async function probeWebGpu(onDeviceLost: DeviceLostListener, overrides: EngineOverrides, memory: ChoiceMemory): Promise<string> {
  const kernels = overrides.kernels;
  if (!('gpu' in navigator) || !navigator.gpu) throw new Error('this browser has no WebGPU (navigator.gpu is missing)');
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('WebGPU gave no adapter (no usable GPU, or WebGPU is disabled)');
  const facts = adapterFacts(adapter);
  if (overrides.backend !== 'webgpu' && needsMeasuring(facts)) {
    const outcome = await measuredChoice(facts, overrides, memory.remembered);
    if (outcome) {
      memory.onMeasured(outcome);
      if (outcome.backend === 'wasm') throw new Error(webGpuSkipReason(outcome));
    }
  }
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  await start('webgpu');
  const backend = tf.backend();
  if (backend instanceof WebGPUBackend) {
    gpuDevice = backend.device;
    void backend.device.lost.then((info) => {
      // 'destroyed' is tfjs disposing its own device, unless a test provoked it; anything else is the GPU going away.
      if (lossProvoked) onDeviceLost('the device was destroyed by the test hook, as a driver reset would');
      else if (info.reason !== 'destroyed') onDeviceLost(info.message || 'the GPU device was lost');
    });
  }
  const engineNote = await installCheckedEngineKernels();
  const kernelNote = await chooseKernels(facts, kernels);
  return `${kernelNote}${engineNote}${await checkedOpsNote()}`;
}

/**
 * The engine's single ops (LayerNorm, GELU, attention, cross-entropy, the planned token lookup)
 * against their composites on this device, backward included, with the kernels now installed.
 */
async function checkedOpsNote(): Promise<string> {
  const { OP_CASES, checkOps } = await import('./webgpu/op-check');
  const failures = await checkOps();
  if (failures.length === 0) return `; the engine's ${OP_CASES.length} single ops matched their composites, gradients included`;
  return `; WARNING: the engine's single ops disagreed with their composites on this device (${failures.slice(0, 2).join('; ')})`;
}

/**
 * The engine's own WebGPU kernels (the fixed-order embedding gradient), checked on this device like
 * the barrier-free ones; on a disagreement they are removed and the note says runs may not repeat.
 */
async function installCheckedEngineKernels(): Promise<string> {
  const { installEngineKernels, removeEngineKernels } = await import('./webgpu/kernels');
  const { ENGINE_CHECK_CASES, checkKernels } = await import('./webgpu/self-check');
  installEngineKernels();
  const failures = await checkKernels(new Map(), 11, ENGINE_CHECK_CASES);
  if (failures.length === 0) return `; the engine's ${ENGINE_CHECK_CASES.length} own kernels (fixed-order embedding gradient, seeded dropout) matched their references`;
  removeEngineKernels();
  return `; the fixed-order embedding gradient disagreed with tfjs on this device (${failures[0]}), so two runs of one seed may differ`;
}

/**
 * The measurement for this adapter and browser: remembered from an earlier visit, or taken now (WASM and
 * WebGPU each time a training step). Null when WASM cannot start, leaving WebGPU the one to use.
 */
async function measuredChoice(facts: AdapterFacts, overrides: EngineOverrides, remembered: readonly Measurement[]): Promise<MeasuredOutcome | null> {
  const key = measurementKey(facts, navigator.userAgent, globalThis.crossOriginIsolated === true);
  const known = remembered.find((m) => isMeasurement(m) && m.key === key);
  if (known) return { ...known, remembered: true };
  // Fetched while WASM is timed: the module is large, and the badge waits for all of this.
  void import('@tensorflow/tfjs-backend-webgpu').catch(() => {});
  const measured = await measureBackends({ wasm: () => startWasm(overrides.threads), webgpu: () => startWebGpuTrial(facts, overrides.kernels) }, key, deviceName(facts));
  return measured && { ...measured, remembered: false };
}

/**
 * WebGPU made the active backend for the timed step, with the kernels training would use on this adapter.
 * `release` takes the lab's kernels out again (the full probe installs and checks them if WebGPU is kept)
 * and, when WASM won, destroys the device, so steps the deadline abandoned stop taking CPU from training.
 */
async function startWebGpuTrial(facts: AdapterFacts, kernels: string | undefined): Promise<{ release(keep: boolean): void }> {
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  registerEngineKernels();
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs could not start the webgpu backend');
  const { installBarrierFreeKernels, restoreKernels } = await import('./webgpu/kernels');
  const originals = chooseKernelSet(facts, kernels).lab ? installBarrierFreeKernels() : undefined;
  return {
    release(keep) {
      if (originals) restoreKernels(originals);
      if (keep) return;
      const backend = tf.findBackend('webgpu');
      tf.removeBackend('webgpu');
      if (backend instanceof WebGPUBackend) backend.device.destroy();
    },
  };
}

/** The WebGL renderer's name (unmasked where the browser allows), or undefined where it cannot be read. */
function webGlRenderer(): string | undefined {
  try {
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2') ?? new OffscreenCanvas(1, 1).getContext('webgl');
    if (!gl) return undefined;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  } catch {
    return undefined;
  }
}

/** `GPUAdapter.info` (Chromium ≥ 114) with `isFallbackAdapter`, which moved there from the adapter. */
function adapterFacts(adapter: GPUAdapter): AdapterFacts {
  const info = (adapter as GPUAdapter & { info?: AdapterFacts }).info ?? {};
  const fallback = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return { ...info, isFallbackAdapter: info.isFallbackAdapter ?? fallback ?? false };
}

/**
 * Installs the lab's barrier-free kernels where shaders run on the CPU (or when `?kernels=lab` asks),
 * then checks them against tfjs' on this device; any disagreement puts tfjs' kernels back. Returns
 * the note for the badge.
 */
async function chooseKernels(adapter: AdapterFacts, override?: string): Promise<string> {
  const choice = chooseKernelSet(adapter, override);
  if (!choice.lab) return `tfjs' WebGPU kernels (${choice.why})`;
  // Imported here, like the backend itself, so a browser without WebGPU never loads them.
  const { installBarrierFreeKernels, restoreKernels } = await import('./webgpu/kernels');
  const { CHECK_CASES, checkKernels } = await import('./webgpu/self-check');
  const originals = installBarrierFreeKernels();
  const failures = await checkKernels(originals);
  if (failures.length > 0) {
    restoreKernels(originals);
    return `tfjs' WebGPU kernels: the lab's barrier-free kernels disagreed with tfjs' on ${choice.device} (${failures.slice(0, 3).join('; ')})`;
  }
  return `the lab's barrier-free kernels (${choice.why}); they matched tfjs' kernels on all ${CHECK_CASES.length} checks`;
}

/** Switches tfjs to `name` and checks a matmul; removes the backend again if it fails. */
async function start(name: BackendName): Promise<void> {
  registerEngineKernels();
  if (!(await tf.setBackend(name))) throw new Error(`tfjs could not start the ${name} backend`);
  try {
    await withTimeout(checkArithmetic(), PROBE_TIMEOUT_MS, () => new Error(`${name} did not finish a test matmul within ${PROBE_TIMEOUT_MS / 1000} s`));
  } catch (error) {
    tf.removeBackend(name);
    throw error;
  }
}

/** [[1,2],[3,4]] · [[5],[6]] + 0.5 = [[17.5],[39.5]]: a matmul and a broadcast add must agree. */
async function checkArithmetic(): Promise<void> {
  const out = tf.tidy(() => tf.add(tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])), tf.scalar(0.5)));
  const values = await out.data();
  out.dispose();
  const expected = [17.5, 39.5];
  if (!expected.every((v, i) => Math.abs((values[i] ?? NaN) - v) < 1e-3)) {
    throw new Error(`a test matmul gave [${Array.from(values).join(', ')}], expected [${expected.join(', ')}]`);
  }
}
