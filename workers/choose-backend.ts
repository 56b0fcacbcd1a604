/**
 * The backend chain, as a pure function over probes: try each backend for real, best first, keep the
 * first that works and say why every better one was skipped. A `?backend=` override goes first; if it
 * fails, the chain carries on and the reason is kept.
 */
import { BACKEND_ORDER, isBackendName, type BackendName, type BackendReport } from './protocol';
import { errorMessage } from '../src/engine/error-message';

/**
 * Starts a backend and checks it computes the right value; throws with the reason when it cannot.
 * May resolve to a note on how the backend was set up (shown beside the badge).
 */
export type Probe = (name: BackendName) => Promise<string | void>;

export async function chooseBackend(probe: Probe, override?: string): Promise<BackendReport> {
  const skipped: BackendReport['skipped'] = [];
  let order: readonly BackendName[] = BACKEND_ORDER;
  if (override) {
    if (isBackendName(override)) {
      order = [override, ...BACKEND_ORDER.filter((b) => b !== override)];
    } else {
      skipped.push({ backend: 'webgpu', reason: `?backend=${override} is not a backend (use ${BACKEND_ORDER.join(', ')}); trying the usual order` });
    }
  }
  for (const name of order) {
    try {
      const note = await probe(name);
      // Better backends passed over on purpose are reported too, so the badge never hides a choice.
      if (override === name) {
        for (const better of BACKEND_ORDER.slice(0, BACKEND_ORDER.indexOf(name))) {
          skipped.push({ backend: better, reason: `not tried: the URL asks for ?backend=${name}` });
        }
      }
      return { backend: name, skipped, ...(note ? { note } : {}) };
    } catch (error) {
      skipped.push({ backend: name, reason: errorMessage(error) });
    }
  }
  throw new Error(`no backend works in this browser: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`);
}

/** The backend to offer when `current` fails mid-run: the next one in the chain. */
export function nextBackend(current: BackendName): BackendName | undefined {
  return BACKEND_ORDER[BACKEND_ORDER.indexOf(current) + 1];
}
