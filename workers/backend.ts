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
import type { BackendName } from './protocol';

/** A lost GPU device reports here (reason and message from WebGPU). */
export type DeviceLostListener = (message: string) => void;

/** How long a backend may take to compile its first kernels before it counts as broken. */
const PROBE_TIMEOUT_MS = 60_000;

export function browserProbe(onDeviceLost: DeviceLostListener): Probe {
  return async (name: BackendName) => {
    switch (name) {
      case 'webgpu':
        return probeWebGpu(onDeviceLost);
      case 'webgl':
        if (typeof OffscreenCanvas === 'undefined') throw new Error('no OffscreenCanvas in workers, so no WebGL here');
        await import('@tensorflow/tfjs-backend-webgl');
        return start('webgl');
      case 'wasm': {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        wasm.setWasmPaths({
          'tfjs-backend-wasm.wasm': wasmPlain,
          'tfjs-backend-wasm-simd.wasm': wasmSimd,
          'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
        });
        return start('wasm');
      }
      case 'cpu':
        await import('@tensorflow/tfjs-backend-cpu');
        return start('cpu');
    }
  };
}

async function probeWebGpu(onDeviceLost: DeviceLostListener): Promise<void> {
  if (!('gpu' in navigator) || !navigator.gpu) throw new Error('this browser has no WebGPU (navigator.gpu is missing)');
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('WebGPU gave no adapter (no usable GPU, or WebGPU is disabled)');
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  await start('webgpu');
  const backend = tf.backend();
  if (backend instanceof WebGPUBackend) {
    void backend.device.lost.then((info) => {
      // 'destroyed' is tfjs disposing its own device; anything else is the GPU going away.
      if (info.reason !== 'destroyed') onDeviceLost(info.message || 'the GPU device was lost');
    });
  }
}

/** Switches tfjs to `name` and checks a matmul; removes the backend again if it fails. */
async function start(name: BackendName): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`tfjs could not start the ${name} backend`);
  try {
    await withTimeout(checkArithmetic(), PROBE_TIMEOUT_MS, `${name} did not finish a test matmul within ${PROBE_TIMEOUT_MS / 1000} s`);
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

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
