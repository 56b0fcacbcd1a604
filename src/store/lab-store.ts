/**
 * The lab's one store, built from typed slices: the config (with what the URL hides), the uploaded
 * file, the run (reduced from the worker's events), and what the page shows about errors and the
 * backend. Actions are plain functions on the state, callable from the worker listener as well as
 * from components. `createLabStore` gives tests a fresh store each time.
 */
import type { UploadProgress } from './upload-reader';
import { createStore, type StateCreator } from 'zustand/vanilla';
import { DEFAULT_CONFIG, type ExperimentConfig } from '../engine/config';
import { configFromPreset } from '../engine/presets';
import type { ParsedUpload } from '../../workers/upload-protocol';
import type { BackendReport, CacheEntryInfo, FeatureMap, SweepOutcome, SweepProgress, Prediction, RunOutcome, TrySample } from '../../workers/protocol';
import { setAt, type LeafValue } from './config-paths';
import { beginRun, endRun, IDLE_RUN, markCancelling, reduceEvent, type RunState, type StampedEvent } from './run-state';
import type { UrlState } from './url-state';
import { stagesOf } from '../engine/stages';

interface ConfigSlice {
  config: ExperimentConfig;
  /** Controls hidden by `_hide` keys in the URL. */
  hidden: string[];
  /** URL keys that could not be applied. */
  urlWarnings: string[];
  setField(path: string, value: LeafValue): void;
  applyPreset(name: string): void;
  loadUrlState(state: UrlState): void;
}

/** An uploaded file, kept as its bytes so a run (with any seed) splits it again in the run's worker. */
export type UploadedFile = ParsedUpload;

interface DatasetSlice {
  upload: UploadedFile | null;
  /** A file being read and parsed, with how far it got; null when none is. */
  uploadProgress: (UploadProgress & { fileName: string }) | null;
  setUpload(upload: UploadedFile): void;
  setUploadProgress(progress: (UploadProgress & { fileName: string }) | null): void;
}

interface RunSlice {
  run: RunState;
  startRun(runId: number, now: number): void;
  applyEvents(batch: StampedEvent[], now: number): void;
  finishRun(runId: number, outcome: RunOutcome): void;
  cancelRequested(): void;
}

/** The explore tabs under the results (`ui/Explore.tsx`). */
export type ExploreTab = 'try' | 'features' | 'location' | 'compare';

interface PageSlice {
  /** The explore tab shown; here rather than in the tabs, so class mode can open the one a step explains. */
  exploreTab: ExploreTab;
  /** The message in `data-testid="error"`: a bad upload, a failed run, a config that cannot run. */
  error: string | null;
  backend: BackendReport | null;
  prediction: Prediction | null;
  /** Clean test sentences of the finished run, offered in the try-it box. */
  trySamples: TrySample[];
  /** The worker's model cache as last listed; null before the first listing. */
  cacheEntries: CacheEntryInfo[] | null;
  /** The finished run's feature map, once asked for. */
  featureMap: FeatureMap | null;
  setExploreTab(tab: ExploreTab): void;
  setError(message: string | null): void;
  setBackend(report: BackendReport): void;
  setPrediction(prediction: Prediction | null): void;
  setTrySamples(samples: TrySample[]): void;
  setCacheEntries(entries: CacheEntryInfo[]): void;
  setFeatureMap(map: FeatureMap | null): void;
}

/** The comparison: one sweep at a time, its progress and, when done, a result per cell. */
interface SweepState {
  runId: number;
  status: 'idle' | 'running' | 'done' | 'cancelled' | 'error';
  progress: SweepProgress | null;
  cells: Extract<SweepOutcome, { outcome: 'done' }>['cells'];
}

interface SweepSlice {
  sweep: SweepState;
  startSweep(runId: number): void;
  sweepProgress(progress: SweepProgress): void;
  finishSweep(runId: number, outcome: SweepOutcome): void;
}

export type LabState = ConfigSlice & DatasetSlice & RunSlice & PageSlice & SweepSlice;
type Slice<T> = StateCreator<LabState, [], [], T>;

const configSlice: Slice<ConfigSlice> = (set) => ({
  config: structuredClone(DEFAULT_CONFIG),
  hidden: [],
  urlWarnings: [],
  setField: (path, value) => set((s) => ({ config: setAt(s.config, path, value) })),
  applyPreset: (name) => set(() => ({ config: configFromPreset(name) })),
  loadUrlState: ({ config, hidden, warnings }) => set(() => ({ config, hidden, urlWarnings: warnings })),
});

const datasetSlice: Slice<DatasetSlice> = (set) => ({
  upload: null,
  uploadProgress: null,
  setUpload: (upload) => set(() => ({ upload })),
  setUploadProgress: (uploadProgress) => set(() => ({ uploadProgress })),
});

const runSlice: Slice<RunSlice> = (set) => ({
  run: IDLE_RUN,
  startRun: (runId, now) => set((s) => ({ run: beginRun(runId, stagesOf(s.config.defense.methods, s.config.taskModel.enabled), now, s.run), error: null, prediction: null, trySamples: [], featureMap: null })),
  applyEvents: (batch, now) =>
    set((s) => {
      const run = batch.reduce((state, event) => reduceEvent(state, event, now), s.run);
      return run === s.run ? {} : { run, error: run.error ?? s.error };
    }),
  finishRun: (runId, outcome) =>
    set((s) => {
      const run = endRun(s.run, runId, outcome);
      return run === s.run ? {} : { run, error: run.error };
    }),
  cancelRequested: () => set((s) => ({ run: markCancelling(s.run) })),
});

const pageSlice: Slice<PageSlice> = (set) => ({
  exploreTab: 'try',
  error: null,
  backend: null,
  prediction: null,
  trySamples: [],
  cacheEntries: null,
  featureMap: null,
  setExploreTab: (exploreTab) => set(() => ({ exploreTab })),
  setError: (error) => set(() => ({ error })),
  setBackend: (backend) => set(() => ({ backend })),
  setPrediction: (prediction) => set(() => ({ prediction })),
  setTrySamples: (trySamples) => set(() => ({ trySamples })),
  setCacheEntries: (cacheEntries) => set(() => ({ cacheEntries })),
  setFeatureMap: (featureMap) => set(() => ({ featureMap })),
});

const IDLE_SWEEP: SweepState = { runId: 0, status: 'idle', progress: null, cells: [] };

const sweepSlice: Slice<SweepSlice> = (set) => ({
  sweep: IDLE_SWEEP,
  startSweep: (runId) => set(() => ({ sweep: { ...IDLE_SWEEP, runId, status: 'running' }, error: null })),
  sweepProgress: (progress) => set((s) => (progress.runId === s.sweep.runId ? { sweep: { ...s.sweep, progress } } : {})),
  finishSweep: (runId, outcome) =>
    set((s) => {
      if (runId !== s.sweep.runId) return {};
      if (outcome.outcome === 'done') return { sweep: { ...s.sweep, status: 'done', progress: null, cells: outcome.cells } };
      if (outcome.outcome === 'cancelled') return { sweep: { ...s.sweep, status: 'cancelled', progress: null } };
      return { sweep: { ...s.sweep, status: 'error', progress: null }, error: `The sweep failed: ${outcome.message}` };
    }),
});

export function createLabStore() {
  return createStore<LabState>()((...a) => ({
    ...configSlice(...a),
    ...datasetSlice(...a),
    ...runSlice(...a),
    ...pageSlice(...a),
    ...sweepSlice(...a),
  }));
}

export type LabStore = ReturnType<typeof createLabStore>;
