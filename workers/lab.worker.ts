/** The lab's worker: the engine runs here, never on the UI thread. Wiring only; the logic is in LabHandler. */
import * as tf from '@tensorflow/tfjs-core';
// The engine trains with tf.variableGrads: every op's gradient must be registered, once, at the entry.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { MemoryCache } from '../src/engine/cache';
import { runExperiment } from '../src/engine/pipeline';
import { browserProbe, loseWebGpuDevice } from './backend';
import { chooseBackend } from './choose-backend';
import { loadDataset } from './datasets';
import { LabHandler } from './handler';
import { IndexedDbCache } from './idb-cache';
import type { UiRequest, WorkerMessage } from './protocol';
import type { MeasuredOutcome } from './measured-choice';
import { fetchPublished, fetchShipped } from './shipped';
import { browserLaneCount, workerLanes } from './worker-lanes';
import { watchCspViolations } from './csp-watch';

const handler = new LabHandler({
  post: (message: WorkerMessage, transfer?: Transferable[]) => self.postMessage(message, transfer ?? []),
  chooseBackend: async (overrides, onDeviceLost, remembered) => {
    // A measurement of WASM against a software WebGPU travels with the report, for the page to remember.
    let measured: MeasuredOutcome | undefined;
    const report = await chooseBackend(browserProbe(onDeviceLost, overrides, { remembered, onMeasured: (m) => (measured = m) }), overrides.backend);
    return measured ? { ...report, measured } : report;
  },
  loadDataset,
  runExperiment,
  shipped: (baseUrl) => fetchShipped(baseUrl),
  published: (baseUrl) => fetchPublished(baseUrl),
  cache: typeof indexedDB === 'undefined' ? new MemoryCache() : new IndexedDbCache(indexedDB),
  numTensors: () => tf.memory().numTensors,
  lanes: (backend, baseUrl, requested) => {
    const count = browserLaneCount(backend, navigator.hardwareConcurrency || 1, requested);
    return count > 0 ? workerLanes(count, baseUrl) : undefined;
  },
});
self.onmessage = (event: MessageEvent<UiRequest>) => void handler.handle(event.data);

// For the browser tests (e2e/faults.e2e.ts): provoke a lost GPU through the real `device.lost` path, and
// read the live tensor count at any moment (after a cancelled sweep, which logs no count of its own).
(self as unknown as { __w2sTestHooks: { loseWebGpuDevice(): boolean; numTensors(): number } }).__w2sTestHooks = {
  loseWebGpuDevice,
  numTensors: () => tf.memory().numTensors,
};

watchCspViolations();
