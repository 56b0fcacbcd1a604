/**
 * A defense lane in Node (see engine/defense-lanes.ts): a worker thread with its own tfjs engine,
 * started by `threadLanes`. Wiring only; the lane's logic is `LaneHost`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LaneHost, type LaneRequest } from '../engine/lane-protocol';
import { initNodeBackend, type NodeBackend } from './backend';
import { openShippedFromDisk } from './shipped';

const port = parentPort;
if (!port) throw new Error('lane-thread.ts runs as a worker thread (see thread-lanes.ts)');
const { backend } = workerData as { backend: NodeBackend };
const host = new LaneHost({
  post: (message) => port.postMessage(message),
  ready: async () => void (await initNodeBackend(backend)),
  shipped: () => openShippedFromDisk(),
});
port.on('message', (request: LaneRequest) => void host.handle(request));
