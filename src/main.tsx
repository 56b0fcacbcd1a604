/**
 * Entry: one store, the URL kept in step with it, the engine in a module worker, and the React tree.
 * The UI thread never trains: it sends requests and reduces the events that come back.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createLabActions } from './store/lab-actions';
import { LabClient } from './store/lab-client';
import { createLabStore } from './store/lab-store';
import { engineOverrides, syncUrlWithStore } from './store/url-sync';
import { reloadOnceForIsolation } from './isolation';
import { App } from './ui/App';
import { LabProvider } from './ui/lab-context';
import './ui/styles.css';
import { errorMessage } from './engine/error-message';
import { readMeasurements, rememberMeasurement } from './store/backend-memory';

const store = createLabStore();
syncUrlWithStore(store);
reloadOnceForIsolation(() => {
  const s = store.getState();
  return s.run.status === 'idle' && s.sweep.status === 'idle' && s.upload === null;
});

const worker = new Worker(new URL('../workers/lab.worker.ts', import.meta.url), { type: 'module' });
const client = new LabClient(worker, (batch) => store.getState().applyEvents(batch, performance.now()));
client.onSweepProgress = (progress) => store.getState().sweepProgress(progress);
const actions = createLabActions(store, client);

// The worker fetches the bundled data relative to the page, wherever the site is served from.
const baseUrl = new URL(import.meta.env.BASE_URL, window.location.href).href;
// localStorage may be missing or refuse access (some privacy settings): the worker then measures again.
const storage = (() => {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
})();
client.request('init', { baseUrl, ...engineOverrides(), remembered: readMeasurements(storage) }).then(
  (report) => {
    store.getState().setBackend(report);
    rememberMeasurement(storage, report);
  },
  (error: unknown) => store.getState().setError(`The lab could not start a backend: ${errorMessage(error)}`),
);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <LabProvider store={store} actions={actions}>
      <App />
    </LabProvider>
  </StrictMode>,
);
