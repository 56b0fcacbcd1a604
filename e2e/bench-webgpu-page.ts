/**
 * The browser half of `npm run bench:webgpu`: on the page's WebGPU adapter, time one training step of
 * each stage type (the quick preset's shapes, as `npm run bench` does on WASM) with tfjs' own kernels
 * or with the lab's barrier-free ones, and count the GPU dispatches a step issues.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { measureStepKind, STEP_KINDS, type StepMeasurement } from '../src/cli/bench-steps';
import { DEFAULT_CONFIG } from '../src/engine/config';
import { installBarrierFreeKernels, installEngineKernels } from '../workers/webgpu/kernels';
import { ENGINE_CHECK_CASES, checkKernels } from '../workers/webgpu/self-check';

export interface WebGpuBenchResult {
  kernels: 'tfjs' | 'lab';
  adapter: string;
  /** Disagreements of the lab kernels with tfjs' on this device (empty: all agree; tfjs runs: not checked). */
  checkFailures: string[];
  steps: (StepMeasurement & { dispatchesPerStep: number; dispatchesByProgram: [string, number][] })[];
}

declare global {
  interface Window {
    benchWebGpu(kernels: 'tfjs' | 'lab', runs: number): Promise<WebGpuBenchResult>;
  }
}

window.benchWebGpu = async (kernels, runs) => {
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs could not start WebGPU in this browser');
  await tf.ready();
  const backend = tf.backend() as WebGPUBackend;
  // tfjs keeps the adapter's vendor and architecture private; they are plain fields at run time.
  const info = backend.adapterInfo as unknown as { vendor: string; architecture: string };
  // The engine's own kernels run on every device (as in the lab); the barrier-free set is the variable.
  installEngineKernels();
  const checkFailures = [
    ...(await checkKernels(new Map(), 11, ENGINE_CHECK_CASES)),
    ...(kernels === 'lab' ? await checkKernels(installBarrierFreeKernels()) : []),
  ];
  // Dispatches, not kernels: reshapes and identities launch nothing on WebGPU.
  let dispatches = 0;
  // By program (shader key without its shape suffixes), to see which ops a step's dispatches go to.
  let byProgram = new Map<string, number>();
  const run = backend.runWebGPUProgram.bind(backend);
  backend.runWebGPUProgram = (...args: Parameters<WebGPUBackend['runWebGPUProgram']>) => {
    dispatches++;
    const key = args[0].shaderKey.split('_')[0]!;
    byProgram.set(key, (byProgram.get(key) ?? 0) + 1);
    return run(...args);
  };
  const steps: WebGpuBenchResult['steps'] = [];
  for (const kind of STEP_KINDS) {
    dispatches = 0;
    byProgram = new Map();
    // No tf.profile pass: it times every kernel one by one, which takes minutes under SwiftShader.
    const m = await measureStepKind(kind, structuredClone(DEFAULT_CONFIG), runs, { countKernelLaunches: false });
    // measureStep ran 1 warm-up + `runs` timed steps.
    const perStep = (n: number) => Math.round(n / (runs + 1));
    const dispatchesByProgram = [...byProgram.entries()].map(([k, n]) => [k, perStep(n)] as [string, number]).sort((a, b) => b[1] - a[1]);
    steps.push({ ...m, dispatchesPerStep: perStep(dispatches), dispatchesByProgram });
  }
  return { kernels, adapter: `${info.vendor} ${info.architecture}`.trim(), checkFailures, steps };
};
