/**
 * The typed messages between the UI thread and the lab worker: one discriminated union each way,
 * requests matched to replies by `id`, every engine event stamped with the `runId` of the run that
 * produced it. Only numbers, strings, plain objects and typed arrays (a feature map's coordinates,
 * transferred) cross — never tensors.
 */
import type { Screened } from '../src/engine/defenses/input-filter';
import type { ExperimentConfig } from '../src/engine/config';
import type { LabEvent, RunResults } from '../src/engine/events';
import type { CacheEntryInfo } from '../src/engine/cache';
import type { SweepSpec } from '../src/engine/sweep';
import type { SetFitName } from '../src/engine/data/url';
import type { MeasuredOutcome, Measurement } from './measured-choice';

/** Where a run's data comes from; the worker loads it (an upload travels as its text's UTF-8 bytes). */
export type DatasetSpec =
  | { kind: 'bundled' }
  | { kind: 'setfit'; name: SetFitName }
  | { kind: 'upload'; fileName: string; bytes: Uint8Array };

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export function isBackendName(name: string): name is BackendName {
  return BACKEND_ORDER.some((known) => known === name);
}

/** The backend the worker settled on, and why each better one was skipped. */
export interface BackendReport {
  backend: BackendName;
  skipped: { backend: BackendName; reason: string }[];
  /** How the chosen backend was set up, when there was a choice (e.g. which WebGPU kernels run). */
  note?: string;
  /** Where WASM and a software WebGPU were timed against each other: what was found (the page remembers a new one). */
  measured?: MeasuredOutcome;
}

/** Query-string overrides of the engine's own choices (`?backend=`, `?kernels=`, `?threads=`). */
export interface EngineOverrides {
  backend?: string;
  /** `tfjs`: tfjs' WebGPU kernels everywhere; `lab`: the lab's barrier-free kernels everywhere. */
  kernels?: string;
  /** WASM threads (a whole number ≥ 1); by default one per logical core. For benchmarks. */
  threads?: string;
  /** Defense lanes (a whole number ≥ 0; 0 turns them off); by default one per spare core on WASM. */
  lanes?: string;
}

/** How a run ended, as the reply to its `run` request. */
export type RunOutcome =
  | { outcome: 'done'; results: RunResults }
  | { outcome: 'cancelled' }
  | { outcome: 'error'; message: string; /** A backend to try instead, e.g. after the GPU was lost. */ suggestBackend?: BackendName };

/**
 * Per model (`poisoned`, `teacher`, each repair) and per input filter, the class probabilities of the
 * text; a filter's are the poisoned model's on the text as the filter passed it on.
 */
export interface Prediction {
  /** The text the models saw. */
  text: string;
  labelNames: string[];
  probabilities: Record<string, number[]>;
  /** The text's tokens (those that fit the window) and, per model, each token's leave-one-out score. */
  tokens: string[];
  attributions: Record<string, number[]>;
  /** Per input filter: what it did with the text, and why. */
  screens: Record<string, Screened>;
}

/** Test sentences, clean and triggered, projected on each model's top two principal components. */
export interface FeatureMap {
  points: { text: string; label: number; labelName: string; triggered: boolean }[];
  /** Per model: [points.length × 2] row-major PCA coordinates (transferred, not copied). */
  coords: Record<string, Float32Array>;
  /** Per model: the label it predicts for each point. */
  predicted: Record<string, number[]>;
}

/** A clean test sentence offered in the try-it box. */
export interface TrySample {
  text: string;
  label: number;
  labelName: string;
}

// ---- UI → worker, and the reply -------------------------------------------------------------------

/**
 * Every request the UI makes of the worker: what it sends, and the value its reply carries. The
 * message unions, the handler's replies and the client's one `request` method all follow from it, so
 * a new request is one entry here and its case in the handler.
 */
export interface Requests {
  /** `remembered`: the backend measurements this browser kept from earlier visits (`measured-choice.ts`). */
  init: { params: { baseUrl: string; remembered?: Measurement[] } & EngineOverrides; value: BackendReport };
  run: { params: { runId: number; config: ExperimentConfig; dataset: DatasetSpec }; value: RunOutcome };
  cancel: { params: object; value: null };
  predict: { params: { text: string }; value: Prediction };
  samples: { params: object; value: TrySample[] };
  features: { params: object; value: FeatureMap };
  sweep: { params: { runId: number; config: ExperimentConfig; dataset: DatasetSpec; spec: SweepSpec }; value: SweepOutcome };
  'cache-list': { params: object; value: CacheEntryInfo[] };
  'cache-clear': { params: object; value: CacheEntryInfo[] };
}

export type RequestType = keyof Requests;

/** A request of type `K` as posted: its type, its id and its parameters. */
export type RequestOf<K extends RequestType> = { type: K; id: number } & Requests[K]['params'];

export type UiRequest = { [K in RequestType]: RequestOf<K> }[RequestType];

/** The successful reply to a request of type `K`. */
export type ReplyOf<K extends RequestType> = { type: 'reply'; id: number; request: K; ok: true; value: Requests[K]['value'] };

// ---- worker → UI -------------------------------------------------------------------------------

export type Reply = { [K in RequestType]: ReplyOf<K> }[RequestType] | { type: 'reply'; id: number; request: RequestType; ok: false; error: string };

export type { CacheEntryInfo };

/** How a sweep ended: per cell (trigger × budget × label mode) the run's results. */
export type SweepOutcome =
  | { outcome: 'done'; cells: { name: string; results: RunResults }[] }
  | { outcome: 'cancelled' }
  | { outcome: 'error'; message: string };

/** A sweep's progress: cell `cell` of `cells` (0-based) is at `stage` (null: loading). */
export interface SweepProgress {
  type: 'sweep-progress';
  runId: number;
  cell: number;
  cells: number;
  name: string;
  stage: string | null;
}

export type WorkerMessage = Reply | { type: 'event'; runId: number; event: LabEvent } | SweepProgress;
