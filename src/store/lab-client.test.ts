import { describe, expect, it } from 'vitest';
import type { UiRequest, WorkerMessage } from '../../workers/protocol';
import { DEFAULT_CONFIG } from '../engine/config';
import { LabClient, type WorkerPort } from './lab-client';
import type { StampedEvent } from './run-state';

class FakeWorker implements WorkerPort {
  sent: UiRequest[] = [];
  onmessage: ((event: MessageEvent<WorkerMessage>) => void) | null = null;
  terminated = false;
  postMessage(message: UiRequest) {
    this.sent.push(message);
  }
  terminate() {
    this.terminated = true;
  }
  answer(message: WorkerMessage) {
    this.onmessage?.(new MessageEvent('message', { data: message }));
  }
}

describe('LabClient', () => {
  it('matches replies to requests by id', async () => {
    const worker = new FakeWorker();
    const client = new LabClient(worker, () => {});
    const init = client.request('init', { baseUrl: 'http://x/', backend: 'wasm' });
    const predict = client.request('predict', { text: 'hello' });
    expect(worker.sent).toEqual([
      { type: 'init', id: 1, baseUrl: 'http://x/', backend: 'wasm' },
      { type: 'predict', id: 2, text: 'hello' },
    ]);
    worker.answer({ type: 'reply', id: 2, request: 'predict', ok: true, value: { text: 'hello', labelNames: ['a'], probabilities: {}, tokens: ['hello'], attributions: {}, screens: {} } });
    worker.answer({ type: 'reply', id: 1, request: 'init', ok: true, value: { backend: 'wasm', skipped: [] } });
    await expect(init).resolves.toEqual({ backend: 'wasm', skipped: [] });
    await expect(predict).resolves.toEqual({ text: 'hello', labelNames: ['a'], probabilities: {}, tokens: ['hello'], attributions: {}, screens: {} });
  });

  it('rejects with the worker’s message, and on a reply of the wrong kind', async () => {
    const worker = new FakeWorker();
    const client = new LabClient(worker, () => {});
    const predict = client.request('predict', { text: 'x' });
    worker.answer({ type: 'reply', id: 1, request: 'predict', ok: false, error: 'no model yet' });
    await expect(predict).rejects.toThrow('no model yet');
    const cancel = client.request('cancel', {});
    worker.answer({ type: 'reply', id: 2, request: 'init', ok: true, value: { backend: 'cpu', skipped: [] } });
    await expect(cancel).rejects.toThrow('answered "cancel" with a "init" reply');
  });

  it('batches events and delivers them before the run’s reply', async () => {
    const worker = new FakeWorker();
    const batches: StampedEvent[][] = [];
    const client = new LabClient(worker, (batch) => batches.push(batch));
    const run = client.request('run', { runId: 3, config: DEFAULT_CONFIG, dataset: { kind: 'bundled' } });
    worker.answer({ type: 'event', runId: 3, event: { type: 'log', level: 'info', message: 'a' } });
    worker.answer({ type: 'event', runId: 3, event: { type: 'log', level: 'info', message: 'b' } });
    expect(batches).toEqual([]);
    worker.answer({ type: 'reply', id: 1, request: 'run', ok: true, value: { outcome: 'cancelled' } });
    expect(batches).toHaveLength(1);
    expect(batches[0]!.map((e) => e.event.type === 'log' && e.event.message)).toEqual(['a', 'b']);
    await expect(run).resolves.toEqual({ outcome: 'cancelled' });
  });

  it('flushes events on a timer while a run is going', async () => {
    const worker = new FakeWorker();
    const batches: StampedEvent[][] = [];
    new LabClient(worker, (batch) => batches.push(batch));
    worker.answer({ type: 'event', runId: 1, event: { type: 'ready', backend: 'cpu' } });
    await new Promise((r) => setTimeout(r, 80));
    expect(batches).toHaveLength(1);
  });
});
