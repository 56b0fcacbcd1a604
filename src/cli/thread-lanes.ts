/**
 * Defense lanes for Node: each a worker thread running `lane-thread.ts` on the same backend as the
 * main thread. tfjs runs WASM on one thread in Node, so a second core otherwise sits idle while the
 * defenses train one after another.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { lanesForCores, type LaneFactory } from '../engine/defense-lanes';
import { openLaneOver, type LaneMessage, type LanePort } from '../engine/lane-protocol';
import type { NodeBackend } from './backend';

/** Lanes by default: one per core beyond the main thread's (see `lanesForCores`). */
export function defaultLaneCount(): number {
  return lanesForCores(availableParallelism());
}

export function threadLanes(count: number, backend: NodeBackend): LaneFactory {
  return { count, open: (setup, emit, signal) => openLaneOver(threadPort(backend), setup, emit, signal) };
}

/**
 * The lane's source is TypeScript, run like the CLI's own through tsx: a worker thread does not inherit
 * the main thread's loader, so its first module registers tsx and then imports the lane.
 */
function threadPort(backend: NodeBackend): LanePort {
  const entry = new URL('./lane-thread.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(entry)});`;
  const worker = new Worker(boot, { eval: true, workerData: { backend } });
  return {
    post: (request) => worker.postMessage(request),
    listen: (listener) => worker.on('message', (message: LaneMessage) => listener(message)),
    onCrash: (listener) => {
      worker.on('error', (error: Error) => listener(error.message));
      worker.on('exit', (code) => listener(`its thread exited with code ${code}`));
    },
    terminate: () => void worker.terminate(),
  };
}
