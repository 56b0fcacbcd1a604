/**
 * A defense lane in the browser (see src/engine/defense-lanes.ts): a second engine, started by the lab's
 * worker when it trains on WASM with a core to spare (worker-lanes.ts). Wiring only; the logic is `LaneHost`.
 */
// The engine trains with tf.variableGrads: every op's gradient must be registered, once, at the entry.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { LaneHost, type LaneRequest } from '../src/engine/lane-protocol';
import { startLaneWasm } from './backend';
import { fetchShipped } from './shipped';
import type { LaneBase } from './worker-lanes';
import { watchCspViolations } from './csp-watch';

let baseUrl = '';
const host = new LaneHost({
  post: (message) => self.postMessage(message),
  ready: async () => void (await startLaneWasm()),
  shipped: () => fetchShipped(baseUrl),
});
self.onmessage = (event: MessageEvent<LaneRequest | LaneBase>) => {
  const message = event.data;
  if (message.type === 'base') baseUrl = message.baseUrl;
  else void host.handle(message);
};
watchCspViolations();
