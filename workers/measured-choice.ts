/**
 * WASM or WebGPU, by measurement. A hardware GPU keeps WebGPU without a test. Where the browser runs
 * WebGPU in software (SwiftShader, a fallback adapter) or says nothing of its adapter, the worker times
 * one small training step on each (`measure-backends.ts`) and keeps the faster; WebGPU has a hard time
 * limit, because compiling its shaders in software can take longer than a class waits for the badge
 * (and a WebGPU that cannot finish a step in that time is not the faster one). The page remembers the
 * measurement in this browser, under a key naming the adapter, the browser and whether WASM may run
 * threads, so the next visit decides at once; `?backend=` overrides either way.
 *
 * Pure functions (the rule, the sentence, the key, what a remembered entry must look like), so they are
 * unit-tested without a GPU; the page imports this module too, and it loads no tfjs.
 */
import { chooseKernelSet, runsOnCpu, type AdapterFacts } from './webgpu/adapter';

/** Bumped when the measured step changes, so older measurements are not trusted. */
export const MEASURE_VERSION = 1;

/**
 * WebGPU must compile and run its warm-up and timed steps within this, after its device started. Short,
 * because the whole choice must settle within a few seconds of the page loading (on a 2-core machine
 * under load: 1 s for the page and WASM, 0.4 s for WASM's steps, about 1 s to start WebGPU's device).
 */
export const WEBGPU_CAP_MS = 1_000;

export type MeasuredBackend = 'wasm' | 'webgpu';

/** What one measurement found, as the page remembers it. */
export interface Measurement {
  key: string;
  backend: MeasuredBackend;
  /** Median time of one training step on WASM, in ms. */
  wasmStepMs: number;
  /** The same on WebGPU; null when WebGPU did not finish within `WEBGPU_CAP_MS`. */
  webgpuStepMs: number | null;
  /** The adapter in words ("google swiftshader", "a fallback adapter"). */
  device: string;
  /** `Date.now()` when measured. */
  measuredAt: number;
}

/** A measurement as the worker reports it: taken now, or remembered from an earlier visit. */
export type MeasuredOutcome = Measurement & { remembered: boolean };

/** Whether the choice needs a measurement: a software adapter, or one that says nothing of itself. */
export function needsMeasuring(adapter: AdapterFacts): boolean {
  const saysNothing = !adapter.vendor && !adapter.architecture && !adapter.description && adapter.isFallbackAdapter !== true;
  return runsOnCpu(adapter) || saysNothing;
}

/** The adapter in words, for the sentence. */
export function deviceName(adapter: AdapterFacts): string {
  return chooseKernelSet(adapter).device;
}

/**
 * What a measurement holds for: the adapter, the browser (its user agent names its version) and whether
 * WASM can run threads here (a cross-origin isolated page), with the measurement's version.
 */
export function measurementKey(adapter: AdapterFacts, userAgent: string, isolated: boolean): string {
  const parts = [adapter.vendor, adapter.architecture, adapter.description, adapter.isFallbackAdapter ? 'fallback' : ''];
  return `v${MEASURE_VERSION} | ${parts.map((p) => p ?? '').join(' / ')} | ${isolated ? 'isolated' : 'not isolated'} | ${userAgent}`;
}

/** The faster backend: WebGPU only when it finished and beat WASM. */
export function fasterBackend(wasmStepMs: number, webgpuStepMs: number | null): MeasuredBackend {
  return webgpuStepMs !== null && webgpuStepMs < wasmStepMs ? 'webgpu' : 'wasm';
}

const ms = (x: number) => `${x < 10 ? x.toFixed(1) : x.toFixed(0)} ms`;
const times = (a: number, b: number) => `${(a / b).toFixed(1)}×`;

/** The badge's plain sentence on why this backend, after its name ("Backend: wasm — …"). */
export function measuredSentence(m: MeasuredOutcome): string {
  const when = m.remembered ? ' (remembered from an earlier visit)' : '';
  if (m.backend === 'webgpu') return `measured ${times(m.wasmStepMs, m.webgpuStepMs ?? m.wasmStepMs)} faster here than WASM${when}`;
  if (m.webgpuStepMs === null) return `measured faster here: this browser’s WebGPU (${m.device}) did not finish a training step within ${WEBGPU_CAP_MS / 1000} s, WASM took ${ms(m.wasmStepMs)}${when}`;
  return `measured ${times(m.webgpuStepMs, m.wasmStepMs)} faster here than this browser’s WebGPU (${m.device})${when}`;
}

/** Why WebGPU was passed over, for the badge's list of skipped backends: the figures and the way back. */
export function webGpuSkipReason(m: MeasuredOutcome): string {
  const figures = m.webgpuStepMs === null ? `WebGPU did not finish within ${WEBGPU_CAP_MS / 1000} s` : `WebGPU ${ms(m.webgpuStepMs)}`;
  return `${m.device} runs WebGPU in software here: a training step took WASM ${ms(m.wasmStepMs)}, ${figures}${m.remembered ? ', measured on an earlier visit' : ''}; ?backend=webgpu uses it anyway`;
}

/** Whether a value read back from storage is a measurement this version can trust. */
export function isMeasurement(value: unknown): value is Measurement {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  const finite = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x > 0;
  return (
    typeof m.key === 'string' &&
    m.key.startsWith(`v${MEASURE_VERSION} | `) &&
    (m.backend === 'wasm' || m.backend === 'webgpu') &&
    finite(m.wasmStepMs) &&
    (m.webgpuStepMs === null || finite(m.webgpuStepMs)) &&
    m.backend === fasterBackend(m.wasmStepMs as number, m.webgpuStepMs as number | null) &&
    typeof m.device === 'string' &&
    typeof m.measuredAt === 'number'
  );
}

/** Measurements kept per browser: one per adapter and browser version seen, the newest first. */
export const KEPT_MEASUREMENTS = 8;

/** `list` with `m` in front, replacing one under the same key, at most `KEPT_MEASUREMENTS` long. */
export function withMeasurement(list: readonly Measurement[], m: Measurement): Measurement[] {
  return [m, ...list.filter((x) => x.key !== m.key)].slice(0, KEPT_MEASUREMENTS);
}
