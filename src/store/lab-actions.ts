/**
 * What the buttons do: glue between the store and the worker client. Validation happens here, at the
 * edge, before anything is sent to the worker.
 */
import { type LabelMode } from '../engine/config';
import { configIssues } from '../engine/config-checks';
import { checkUploadSize } from '../engine/data/upload';
import type { BackendName } from '../../workers/protocol';
import { datasetSpecFor, knownLabelCount } from './dataset-spec';
import type { LabClient } from './lab-client';
import type { LabStore, UploadedFile } from './lab-store';
import { readUploadInWorker, type ReadUpload } from './upload-reader';
import { isActive } from './run-state';
import { parseConfigFile } from './exports';
import { parseBudgetList, parseTriggerList, sweepCells, type SweepSpec } from '../engine/sweep';
import { errorMessage } from '../engine/error-message';

/** The comparison form as typed: the trigger and budget boxes, and the ticked label modes. */
interface SweepInput {
  /** See `parseTriggerList`. */
  triggers: string;
  /** See `parseBudgetList`; empty: the config's budget. */
  budgets: string;
  /** None: the config's label mode. */
  labelModes: LabelMode[];
}

export interface LabActions {
  run(): Promise<void>;
  cancel(): Promise<void>;
  predict(text: string): Promise<void>;
  /** Fetches the finished run's test sentences for the try-it box. */
  loadSamples(): Promise<void>;
  /** Runs the config once per cell of triggers × budgets × label modes (see `sweepCells`). */
  sweep(input: SweepInput): Promise<void>;
  cancelSweep(): Promise<void>;
  /** Fetches the finished run's feature map. */
  loadFeatureMap(): Promise<void>;
  /** Lists the worker's model cache; `clear` empties it first. */
  refreshCache(clear?: boolean): Promise<void>;
  /** Makes a picked file the dataset, read and parsed off the page's thread with progress (see upload-reader.ts); a bad file leaves the current one and says why. */
  uploadFile(file: File): Promise<void>;
  /** Replaces the config with a file's (validated); a bad file leaves it and shows why. */
  importConfig(fileName: string, content: string): void;
  /** Reloads the page on another backend (after a lost GPU, or by choice). */
  switchBackend(name: BackendName): void;
}


export function createLabActions(
  store: LabStore,
  client: LabClient,
  now: () => number = () => performance.now(),
  readUpload: ReadUpload = readUploadInWorker,
): LabActions {
  const state = () => store.getState();
  const useUpload = (upload: UploadedFile) => {
    state().setUpload(upload);
    state().setField('data.source', upload.fileName);
    state().setError(null);
  };
  const refuseUpload = (error: unknown, previousSource: string) => {
    const reason = errorMessage(error);
    state().setError(`Could not use the uploaded file: ${reason}. The lab keeps the dataset "${previousSource}".`);
  };
  return {
    async run() {
      const { config, upload, run } = state();
      const issues = configIssues(config, knownLabelCount(config.data.source, upload));
      if (issues.length > 0) {
        state().setError(`Fix the settings first: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`);
        return;
      }
      const dataset = datasetSpecFor(config.data.source, upload);
      if (!dataset.ok) {
        state().setError(dataset.message);
        return;
      }
      const runId = Math.max(run.runId, state().sweep.runId) + 1;
      state().startRun(runId, now());
      try {
        const outcome = await client.request('run', { runId, config, dataset: dataset.spec });
        state().finishRun(runId, outcome);
      } catch (error) {
        state().finishRun(runId, { outcome: 'error', message: errorMessage(error) });
      }
    },

    async cancel() {
      if (!isActive(state().run.status)) return;
      state().cancelRequested();
      await client.request('cancel', {});
    },

    async predict(text) {
      try {
        state().setPrediction(await client.request('predict', { text }));
      } catch (error) {
        state().setError(errorMessage(error));
      }
    },

    async loadSamples() {
      try {
        state().setTrySamples(await client.request('samples', {}));
      } catch (error) {
        state().setError(errorMessage(error));
      }
    },

    async sweep(input) {
      const { config, upload, run, sweep } = state();
      let spec: SweepSpec;
      try {
        spec = { triggers: parseTriggerList(input.triggers), budgets: parseBudgetList(input.budgets), labelModes: input.labelModes };
        sweepCells(config, spec, knownLabelCount(config.data.source, upload));
      } catch (error) {
        state().setError(`Fix the sweep first: ${errorMessage(error)}`);
        return;
      }
      const dataset = datasetSpecFor(config.data.source, upload);
      if (!dataset.ok) {
        state().setError(dataset.message);
        return;
      }
      // One id space with runs, so a sweep's id never matches a run's.
      const runId = Math.max(run.runId, sweep.runId) + 1;
      state().startSweep(runId);
      try {
        state().finishSweep(runId, await client.request('sweep', { runId, config, dataset: dataset.spec, spec }));
      } catch (error) {
        state().finishSweep(runId, { outcome: 'error', message: errorMessage(error) });
      }
    },

    async cancelSweep() {
      if (state().sweep.status === 'running') await client.request('cancel', {});
    },

    async loadFeatureMap() {
      try {
        state().setFeatureMap(await client.request('features', {}));
      } catch (error) {
        state().setError(errorMessage(error));
      }
    },

    async refreshCache(clear = false) {
      try {
        state().setCacheEntries(await client.request(clear ? 'cache-clear' : 'cache-list', {}));
      } catch (error) {
        state().setError(errorMessage(error));
      }
    },

    async uploadFile(file) {
      const { config, setUploadProgress } = state();
      setUploadProgress({ type: 'progress', fileName: file.name, phase: 'reading', loaded: 0, total: file.size });
      try {
        checkUploadSize(file.name, file.size);
        useUpload(await readUpload(file, config.seed, (p) => setUploadProgress({ ...p, fileName: file.name })));
      } catch (error) {
        refuseUpload(error, config.data.source);
      } finally {
        setUploadProgress(null);
      }
    },

    importConfig(fileName, content) {
      const { upload, hidden, loadUrlState, setError } = state();
      const imported = parseConfigFile(fileName, content, (source) => knownLabelCount(source, upload));
      if (!imported.ok) {
        setError(`Could not import the config: ${imported.message}. The current settings are kept.`);
        return;
      }
      loadUrlState({ config: imported.config, hidden, warnings: [] });
      setError(null);
    },

    switchBackend(name) {
      const url = new URL(window.location.href);
      url.searchParams.set('backend', name);
      window.location.assign(url.href);
    },
  };
}
