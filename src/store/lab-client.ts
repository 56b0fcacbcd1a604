/**
 * The UI side of the worker protocol: one promise per request, replies matched by id, and the event
 * stream handed on in small batches (one store update per batch keeps React off the hot path).
 */
import type { Reply, Requests, RequestType, SweepProgress, UiRequest, WorkerMessage } from '../../workers/protocol';
import type { StampedEvent } from './run-state';

/** What the client needs of a Worker (a fake in tests). */
export interface WorkerPort {
  postMessage(message: UiRequest): void;
  onmessage: ((event: MessageEvent<WorkerMessage>) => void) | null;
  terminate(): void;
}

/** Events are delivered at most this often; the training loop can emit much faster on WASM. */
const BATCH_MS = 50;

export class LabClient {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private queue: StampedEvent[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** Called with each sweep progress message (rare: one per stage of each cell). */
  onSweepProgress: ((progress: SweepProgress) => void) | undefined;

  constructor(
    private readonly worker: WorkerPort,
    private readonly onEvents: (batch: StampedEvent[]) => void,
  ) {
    worker.onmessage = (event) => this.receive(event.data);
  }

  /** Sends request `type` with its parameters; resolves with its reply's value, rejects with the worker's error. */
  request<K extends RequestType>(type: K, params: Requests[K]['params']): Promise<Requests[K]['value']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (reply) => {
        if (!reply.ok) return reject(new Error(reply.error));
        if (reply.request !== type) return reject(new Error(`the worker answered "${type}" with a "${reply.request}" reply`));
        resolve(reply.value as Requests[K]['value']);
      });
      this.worker.postMessage({ ...params, type, id } as UiRequest);
    });
  }

  terminate(): void {
    this.worker.terminate();
    for (const resolve of this.pending.values()) resolve({ type: 'reply', id: 0, request: 'run', ok: false, error: 'the lab worker was stopped' });
    this.pending.clear();
  }

  private receive(message: WorkerMessage): void {
    if (message.type === 'sweep-progress') {
      this.onSweepProgress?.(message);
      return;
    }
    if (message.type === 'event') {
      this.queue.push({ runId: message.runId, event: message.event });
      this.flushTimer ??= setTimeout(() => this.flush(), BATCH_MS);
      return;
    }
    // Events the run emitted before its reply must land first (the last epoch before "done").
    this.flush();
    const resolve = this.pending.get(message.id);
    this.pending.delete(message.id);
    resolve?.(message);
  }

  private flush(): void {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.onEvents(batch);
  }
}
