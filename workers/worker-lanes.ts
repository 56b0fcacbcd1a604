/**
 * Defense lanes for the browser: each a module Web Worker (`lane.worker.ts`) with a WASM engine of its
 * own, started by the lab's worker. Only on WASM: a lane's numbers match the pipeline's only on the same
 * backend, and a GPU runs one dispatch at a time whichever worker sends it.
 */
import { lanesForCores, type LaneFactory } from '../src/engine/defense-lanes';
import { openLaneOver, type LaneMessage, type LanePort } from '../src/engine/lane-protocol';
import type { BackendName } from './protocol';

/**
 * How many lanes a run on `backend` gets: `?lanes=N` when given (0 turns them off), else one per
 * logical core beyond the lab worker's, on WASM only.
 */
export function browserLaneCount(backend: BackendName, cores: number, requested?: string): number {
  if (backend !== 'wasm') return 0;
  const asked = requested === undefined || requested === '' ? Number.NaN : Number(requested);
  return Number.isInteger(asked) && asked >= 0 ? Math.min(asked, 8) : lanesForCores(cores);
}

export function workerLanes(count: number, baseUrl: string): LaneFactory {
  return { count, open: (setup, emit, signal) => openLaneOver(workerPort(baseUrl), setup, emit, signal) };
}

/** The first message tells the lane where the page is: it fetches the shipped vocabulary from there. */
export interface LaneBase {
  type: 'base';
  baseUrl: string;
}

function workerPort(baseUrl: string): LanePort {
  const worker = new Worker(new URL('./lane.worker.ts', import.meta.url), { type: 'module' });
  worker.postMessage({ type: 'base', baseUrl } satisfies LaneBase);
  return {
    post: (request) => worker.postMessage(request),
    listen: (listener) => worker.addEventListener('message', (event: MessageEvent<LaneMessage>) => listener(event.data)),
    onCrash: (listener) => {
      worker.addEventListener('error', (event) => listener(event.message || 'its worker failed to load'));
      worker.addEventListener('messageerror', () => listener('a message from it could not be read'));
    },
    terminate: () => worker.terminate(),
  };
}
