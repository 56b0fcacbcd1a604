/**
 * The worker side of the lab: takes typed requests, runs the engine, posts stamped events and one
 * reply per request. Everything it touches comes in through `HandlerDeps`, so tests drive it with a
 * fake `post` and a scripted engine.
 *
 * One run at a time: a new `run` cancels the one in flight and waits for it to free its tensors before
 * starting. Every event carries the `runId` of the run that emitted it, so the UI can drop late ones.
 */
import type { ModelCache } from '../src/engine/cache';
import type { ExperimentConfig } from '../src/engine/config';
import type { Dataset } from '../src/engine/data/types';
import type { LabEvent } from '../src/engine/events';
import type { Predictor, RunOptions, RunOutput } from '../src/engine/pipeline';
import { nextBackend } from './choose-backend';
import type { BackendName, BackendReport, DatasetSpec, Reply, RunOutcome, UiRequest, WorkerMessage } from './protocol';

export interface HandlerDeps {
  post(message: WorkerMessage): void;
  /** Picks and starts the backend; `onDeviceLost` fires if the GPU goes away later. */
  chooseBackend(override: string | undefined, onDeviceLost: (message: string) => void): Promise<BackendReport>;
  loadDataset(spec: DatasetSpec, ctx: { baseUrl: string; seed: number; signal: AbortSignal }): Promise<Dataset>;
  runExperiment(config: ExperimentConfig, dataset: Dataset, opts: RunOptions): Promise<RunOutput>;
  /** Keeps pretrained, poisoned and teacher models between runs of this session. */
  cache?: ModelCache;
  /** Live tensor count, logged after each run so a leak shows. */
  numTensors?(): number;
}

interface ActiveRun {
  runId: number;
  requestId: number;
  controller: AbortController;
  /** Resolves once the run has stopped and freed what it held. */
  finished: Promise<void>;
  /** The reply went out (a lost GPU replies before the engine notices). */
  replied: boolean;
}

export class LabHandler {
  private backend: Promise<BackendReport> | undefined;
  private baseUrl = '';
  private current: ActiveRun | undefined;
  private trained: { predictor: Predictor; labelNames: string[] } | undefined;
  /** Set when the GPU was lost: this worker's backend is gone for good. */
  private lost: { message: string; suggest: BackendName | undefined } | undefined;

  constructor(private readonly deps: HandlerDeps) {}

  /** Handles one request; never throws (failures become `ok: false` replies). */
  async handle(request: UiRequest): Promise<void> {
    try {
      switch (request.type) {
        case 'init':
          return await this.init(request);
        case 'run':
          return await this.run(request);
        case 'cancel':
          this.current?.controller.abort();
          return this.deps.post({ type: 'reply', id: request.id, request: 'cancel', ok: true, value: null });
        case 'predict':
          return await this.predict(request);
      }
    } catch (error) {
      this.deps.post({ type: 'reply', id: request.id, request: request.type, ok: false, error: messageOf(error) });
    }
  }

  /** The GPU went away: end the run in flight now, with a message and the next backend to try. */
  deviceLost(reason: string): void {
    const suggest = nextBackend('webgpu');
    const message =
      `The GPU device was lost (${reason}), so this run has ended.` +
      (suggest ? ` Switch to the ${suggest} backend to carry on.` : ' Reload the page to try again.');
    this.lost = { message, suggest };
    const run = this.current;
    if (!run) return;
    this.deps.post({ type: 'event', runId: run.runId, event: { type: 'error', message } });
    this.reply(run, { outcome: 'error', message, ...(suggest ? { suggestBackend: suggest } : {}) });
    run.controller.abort();
  }

  private async init(request: Extract<UiRequest, { type: 'init' }>): Promise<void> {
    this.baseUrl = request.baseUrl;
    this.backend ??= this.deps.chooseBackend(request.backend, (reason) => this.deviceLost(reason));
    const report = await this.backend;
    this.deps.post({ type: 'reply', id: request.id, request: 'init', ok: true, value: report });
  }

  private async run(request: Extract<UiRequest, { type: 'run' }>): Promise<void> {
    const previous = this.current;
    let finish = () => {};
    const run: ActiveRun = {
      runId: request.runId,
      requestId: request.id,
      controller: new AbortController(),
      finished: new Promise<void>((resolve) => (finish = resolve)),
      replied: false,
    };
    // Claim the slot before waiting, so a third request cancels this one rather than racing it.
    this.current = run;
    let errorAnnounced = false;
    const emit = (event: LabEvent) => {
      if (run.replied) return;
      if (event.type === 'error') errorAnnounced = true;
      this.deps.post({ type: 'event', runId: run.runId, event });
    };
    try {
      if (previous) {
        previous.controller.abort();
        await previous.finished;
      }
      this.disposeTrained();
      if (this.lost) return this.reply(run, { outcome: 'error', message: this.lost.message, ...(this.lost.suggest ? { suggestBackend: this.lost.suggest } : {}) });
      if (!this.backend) throw new Error('the worker was not initialised: send "init" first');
      const report = await this.backend;
      emit({ type: 'ready', backend: report.backend, skipped: report.skipped });
      const { signal } = run.controller;
      const dataset = await this.deps.loadDataset(request.dataset, { baseUrl: this.baseUrl, seed: request.config.seed, signal });
      if (signal.aborted) return this.reply(run, { outcome: 'cancelled' });
      const output = await this.deps.runExperiment(request.config, dataset, {
        emit,
        signal,
        backend: report.backend,
        ...(this.deps.cache ? { cache: this.deps.cache } : {}),
      });
      if (run.replied) output.predictor.dispose();
      else {
        this.trained = { predictor: output.predictor, labelNames: dataset.labelNames };
        this.reply(run, { outcome: 'done', results: output.results });
      }
    } catch (error) {
      // The engine throws CancelledError on abort; a fetch throws AbortError. Either way: cancelled.
      if (run.controller.signal.aborted) this.reply(run, { outcome: 'cancelled' });
      else {
        const message = messageOf(error);
        // Failures before the engine started (backend, data) have not been announced as events yet.
        if (!errorAnnounced) emit({ type: 'error', message });
        this.reply(run, { outcome: 'error', message });
      }
    } finally {
      if (this.deps.numTensors) {
        this.deps.post({ type: 'event', runId: run.runId, event: { type: 'log', level: 'info', message: `Tensors in memory after the run: ${this.deps.numTensors()}.` } });
      }
      if (this.current === run) this.current = undefined;
      finish();
    }
  }

  private async predict(request: Extract<UiRequest, { type: 'predict' }>): Promise<void> {
    if (!this.trained) throw new Error('there is no trained model yet: run the lab first');
    const { predictor, labelNames } = this.trained;
    const byModel = await predictor.predict([request.text]);
    const probabilities: Record<string, number[]> = {};
    for (const [model, rows] of Object.entries(byModel)) probabilities[model] = rows[0] ?? [];
    this.deps.post({ type: 'reply', id: request.id, request: 'predict', ok: true, value: { labelNames, probabilities } });
  }

  private reply(run: ActiveRun, outcome: RunOutcome): void {
    if (run.replied) return;
    const message: Reply = { type: 'reply', id: run.requestId, request: 'run', ok: true, value: outcome };
    this.deps.post(message);
    run.replied = true;
  }

  private disposeTrained(): void {
    this.trained?.predictor.dispose();
    this.trained = undefined;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
