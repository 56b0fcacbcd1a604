/**
 * The UI side of the worker protocol: one promise per request, replies matched by id, and the event
 * stream handed on in small batches (one store update per batch keeps React off the hot path).
 */
import type { ExperimentConfig } from '../engine/config';
import type { SweepSpec } from '../engine/sweep';
import type { BackendReport, CacheEntryInfo, EngineOverrides, DatasetSpec, FeatureMap, SweepOutcome, SweepProgress, Prediction, Reply, RunOutcome, TrySample, UiRequest, WorkerMessage } from '../../workers/protocol';
import type { StampedEvent } from './run-state';

/** What the client needs of a Worker (a fake in tests). */
export interface WorkerPort {
  postMessage(message: UiRequest): void;
  onmessage: ((event: MessageEvent<WorkerMessage>) => void) | null;
  terminate(): void;
}

type SuccessReply = Extract<Reply, { ok: true }>;

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

  init(baseUrl: string, overrides: EngineOverrides = {}): Promise<BackendReport> {
    return this.send({ type: 'init', id: this.id(), baseUrl, ...overrides }, (r) => (r.request === 'init' ? r.value : undefined));
  }

  run(runId: number, config: ExperimentConfig, dataset: DatasetSpec): Promise<RunOutcome> {
    return this.send({ type: 'run', id: this.id(), runId, config, dataset }, (r) => (r.request === 'run' ? r.value : undefined));
  }

  cancel(): Promise<null> {
    return this.send({ type: 'cancel', id: this.id() }, (r) => (r.request === 'cancel' ? r.value : undefined));
  }

  predict(text: string): Promise<Prediction> {
    return this.send({ type: 'predict', id: this.id(), text }, (r) => (r.request === 'predict' ? r.value : undefined));
  }

  samples(): Promise<TrySample[]> {
    return this.send({ type: 'samples', id: this.id() }, (r) => (r.request === 'samples' ? r.value : undefined));
  }

  sweep(runId: number, config: ExperimentConfig, dataset: DatasetSpec, spec: SweepSpec): Promise<SweepOutcome> {
    return this.send({ type: 'sweep', id: this.id(), runId, config, dataset, spec }, (r) => (r.request === 'sweep' ? r.value : undefined));
  }

  features(): Promise<FeatureMap> {
    return this.send({ type: 'features', id: this.id() }, (r) => (r.request === 'features' ? r.value : undefined));
  }

  cacheList(): Promise<CacheEntryInfo[]> {
    return this.send({ type: 'cache-list', id: this.id() }, (r) => (r.request === 'cache-list' ? r.value : undefined));
  }

  cacheClear(): Promise<CacheEntryInfo[]> {
    return this.send({ type: 'cache-clear', id: this.id() }, (r) => (r.request === 'cache-clear' ? r.value : undefined));
  }

  terminate(): void {
    this.worker.terminate();
    for (const resolve of this.pending.values()) resolve({ type: 'reply', id: 0, request: 'run', ok: false, error: 'the lab worker was stopped' });
    this.pending.clear();
  }

  private id(): number {
    return this.nextId++;
  }

  private send<T>(request: UiRequest, pick: (reply: SuccessReply) => T | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.set(request.id, (reply) => {
        if (!reply.ok) return reject(new Error(reply.error));
        const value = pick(reply);
        if (value === undefined) reject(new Error(`the worker answered "${request.type}" with a "${reply.request}" reply`));
        else resolve(value);
      });
      this.worker.postMessage(request);
    });
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
