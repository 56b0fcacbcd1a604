/**
 * Keeps the store and the address bar in step: the hash is read once at start and on `hashchange`
 * (a pasted link), and rewritten (without a history entry per keystroke) whenever the config changes.
 */
import type { EngineOverrides } from '../../workers/protocol';
import type { LabStore } from './lab-store';
import { readHash, writeHash } from './url-state';

export function syncUrlWithStore(store: LabStore, win: Window = window): () => void {
  store.getState().loadUrlState(readHash(win.location.hash));
  const write = () => {
    const { config, hidden } = store.getState();
    const hash = writeHash(config, hidden);
    if (hash !== win.location.hash) win.history.replaceState(null, '', `${win.location.pathname}${win.location.search}${hash}`);
  };
  write();
  const unsubscribe = store.subscribe((state, previous) => {
    if (state.config !== previous.config || state.hidden !== previous.hidden) write();
  });
  const onHashChange = () => {
    const next = readHash(win.location.hash);
    const { config, hidden, loadUrlState } = store.getState();
    // A link pasted into an open page that cannot be read at all must not wipe the settings on screen.
    loadUrlState(next.refused ? { config, hidden, warnings: next.warnings } : next);
  };
  win.addEventListener('hashchange', onHashChange);
  return () => {
    unsubscribe();
    win.removeEventListener('hashchange', onHashChange);
  };
}

/**
 * Engine overrides from the query string: `?backend=wasm` forces a backend (for teachers on odd
 * machines, and for tests); `?kernels=tfjs|lab` forces which WebGPU kernels run (for benchmarks, and
 * as an escape hatch should the lab's kernels misbehave on some device); `?threads=N` sets the WASM
 * threads (for benchmarks; see workers/wasm-threads.ts); `?lanes=N` how many more engines train
 * defenses side by side (0: one after another; see workers/worker-lanes.ts).
 */
export function engineOverrides(win: Window = window): EngineOverrides {
  const query = new URLSearchParams(win.location.search);
  const backend = query.get('backend');
  const kernels = query.get('kernels');
  const threads = query.get('threads');
  const lanes = query.get('lanes');
  return { ...(backend ? { backend } : {}), ...(kernels ? { kernels } : {}), ...(threads ? { threads } : {}), ...(lanes ? { lanes } : {}) };
}
