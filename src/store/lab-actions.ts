/**
 * What the buttons do: glue between the store and the worker client. Validation happens here, at the
 * edge, before anything is sent to the worker.
 */
import { configIssues } from '../engine/config';
import { labelCounts, parseUploadedFile, previewRows } from '../engine/data/upload';
import type { BackendName } from '../../workers/protocol';
import { datasetSpecFor, knownLabelCount } from './dataset-spec';
import type { LabClient } from './lab-client';
import type { LabStore } from './lab-store';
import { isActive } from './run-state';

export interface LabActions {
  run(): Promise<void>;
  cancel(): Promise<void>;
  predict(text: string): Promise<void>;
  upload(fileName: string, content: string): void;
  /** Reloads the page on another backend (after a lost GPU, or by choice). */
  switchBackend(name: BackendName): void;
}

/** Rows per split in the upload preview. */
const PREVIEW_ROWS = 3;

export function createLabActions(store: LabStore, client: LabClient, now: () => number = () => performance.now()): LabActions {
  const state = () => store.getState();
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
      const runId = run.runId + 1;
      state().startRun(runId, now());
      try {
        const outcome = await client.run(runId, config, dataset.spec);
        state().finishRun(runId, outcome);
      } catch (error) {
        state().finishRun(runId, { outcome: 'error', message: error instanceof Error ? error.message : String(error) });
      }
    },

    async cancel() {
      if (!isActive(state().run.status)) return;
      state().cancelRequested();
      await client.cancel();
    },

    async predict(text) {
      try {
        state().setPrediction(await client.predict(text));
      } catch (error) {
        state().setError(error instanceof Error ? error.message : String(error));
      }
    },

    upload(fileName, content) {
      const { config, setUpload, setField, setError } = state();
      try {
        const dataset = parseUploadedFile(fileName, content, config.seed);
        const all = [...dataset.train, ...dataset.dev, ...dataset.test];
        setUpload({
          fileName,
          content,
          labelNames: dataset.labelNames,
          preview: previewRows(dataset, PREVIEW_ROWS),
          counts: labelCounts(all, dataset.labelNames.length),
        });
        setField('data.source', fileName);
        setError(null);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        setError(`Could not use the uploaded file: ${reason}. The lab keeps the dataset "${config.data.source}".`);
      }
    },

    switchBackend(name) {
      const url = new URL(window.location.href);
      url.searchParams.set('backend', name);
      window.location.assign(url.href);
    },
  };
}
