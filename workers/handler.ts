/**
 * The worker side of the lab: takes typed requests, runs the engine, posts stamped events and one
 * reply per request. Everything it touches comes in through `HandlerDeps`, so tests drive it with a
 * fake `post` and a scripted engine.
 *
 * One run at a time: a new `run` cancels the one in flight and waits for it to free its tensors before
 * starting. Every event carries the `runId` of the run that emitted it, so the UI can drop late ones.
 */
import type { ModelCache } from '../src/engine/cache';
import type { LaneFactory } from '../src/engine/defense-lanes';
import type { ExperimentConfig } from '../src/engine/config';
import type { Dataset } from '../src/engine/data/types';
import type { LabEvent } from '../src/engine/events';
import type { Predictor, RunOptions, RunOutput } from '../src/engine/pipeline';
import type { ShippedModels } from '../src/engine/models/checkpoint';
import type { PublishedModels } from '../src/engine/models/published';
import { nextBackend } from './choose-backend';
import type { Measurement } from './measured-choice';
import type { BackendName, BackendReport, DatasetSpec, EngineOverrides, FeatureMap, Prediction, Reply, ReplyOf, RequestOf, Requests, RequestType, RunOutcome, SweepOutcome, UiRequest, WorkerMessage } from './protocol';
import { runSweep, sweepCells } from '../src/engine/sweep';
import { withTrigger } from '../src/engine/attacks/fixed-trigger';
import { pca } from '../src/engine/metrics/pca';
import { errorMessage } from '../src/engine/error-message';

export interface HandlerDeps {
  /** `transfer`: typed arrays handed over rather than copied (the feature map). */
  post(message: WorkerMessage, transfer?: Transferable[]): void;
  /**
   * Picks and starts the backend; `onDeviceLost` fires if the GPU goes away later; `remembered` holds the
   * backend measurements this browser kept from earlier visits.
   */
  chooseBackend(overrides: EngineOverrides, onDeviceLost: (message: string) => void, remembered: readonly Measurement[]): Promise<BackendReport>;
  loadDataset(spec: DatasetSpec, ctx: { baseUrl: string; seed: number; signal: AbortSignal }): Promise<Dataset>;
  runExperiment(config: ExperimentConfig, dataset: Dataset, opts: RunOptions): Promise<RunOutput>;
  /** Opens the shipped vocabulary and checkpoints served at `baseUrl` (only when a config asks). */
  shipped?(baseUrl: string): Promise<ShippedModels>;
  /** Opens the attacker's published models served beside them (null when the build has none). */
  published?(baseUrl: string): Promise<PublishedModels | null>;
  /** Keeps pretrained, poisoned and teacher models between runs of this session. */
  cache?: ModelCache;
  /** Second engines for the defenses on `backend` (see worker-lanes.ts); `requested` is `?lanes=`. */
  lanes?(backend: BackendName, baseUrl: string, requested: string | undefined): LaneFactory | undefined;
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
  private requestedLanes: string | undefined;
  private current: ActiveRun | undefined;
  private trained: { predictor: Predictor; labelNames: string[]; config: ExperimentConfig } | undefined;
  /** Set when the GPU was lost: this worker's backend is gone for good. */
  private lost: { message: string; suggest: BackendName | undefined } | undefined;

  /** Resolves when the GPU is reported lost (see `deviceLost`). */
  private readonly lostSignal: Promise<void>;
  private signalLost: () => void = () => {};

  constructor(private readonly deps: HandlerDeps) {
    this.lostSignal = new Promise((resolve) => (this.signalLost = resolve));
  }

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
          return this.answer(request, null);
        case 'predict':
          return await this.predict(request);
        case 'samples':
          return this.samples(request);
        case 'features':
          return await this.features(request);
        case 'sweep':
          return await this.sweep(request);
        case 'cache-list':
        case 'cache-clear':
          return await this.cacheRequest(request);
      }
    } catch (error) {
      this.deps.post({ type: 'reply', id: request.id, request: request.type, ok: false, error: errorMessage(error) });
    }
  }

  /** The GPU went away: end the run in flight now, with a message and the next backend to try. */
  deviceLost(reason: string): void {
    const suggest = nextBackend('webgpu');
    const message =
      `The GPU device was lost (${reason}), so this run has ended.` +
      (suggest ? ` Switch to the ${suggest} backend to carry on.` : ' Reload the page to try again.');
    this.lost = { message, suggest };
    this.signalLost();
    const run = this.current;
    if (!run) return;
    this.deps.post({ type: 'event', runId: run.runId, event: { type: 'error', message } });
    this.reply(run, { outcome: 'error', message, ...(suggest ? { suggestBackend: suggest } : {}) });
    run.controller.abort();
  }

  private async init(request: RequestOf<'init'>): Promise<void> {
    this.baseUrl = request.baseUrl;
    // Everything but the request's own fields is an engine override (`?backend=`, `?kernels=`, `?threads=`).
    const { type: _type, id: _id, baseUrl: _baseUrl, remembered, ...given } = request;
    const overrides: EngineOverrides = Object.fromEntries(Object.entries(given).filter(([, v]) => typeof v === 'string' && v !== ''));
    this.requestedLanes = overrides.lanes;
    this.backend ??= this.deps.chooseBackend(overrides, (reason) => this.deviceLost(reason), Array.isArray(remembered) ? remembered : []);
    const report = await this.backend;
    this.answer(request, report);
  }

  private async run(request: RequestOf<'run'>): Promise<void> {
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
    let backend: BackendName | undefined;
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
      backend = report.backend;
      emit({ type: 'ready', backend: report.backend, skipped: report.skipped });
      const { signal } = run.controller;
      const dataset = await this.deps.loadDataset(request.dataset, { baseUrl: this.baseUrl, seed: request.config.seed, signal });
      if (signal.aborted) return this.reply(run, { outcome: 'cancelled' });
      const output = await this.deps.runExperiment(request.config, dataset, {
        emit,
        signal,
        backend: report.backend,
        ...this.lanesOption(report.backend),
        ...(this.deps.cache ? { cache: this.deps.cache } : {}),
        ...this.shippedOption(),
      });
      if (run.replied) output.predictor.dispose();
      else {
        this.trained = { predictor: output.predictor, labelNames: dataset.labelNames, config: output.results.config };
        this.reply(run, { outcome: 'done', results: output.results });
      }
    } catch (error) {
      // The engine throws CancelledError on abort; a fetch throws AbortError. Either way: cancelled.
      if (run.controller.signal.aborted) this.reply(run, { outcome: 'cancelled' });
      else {
        // A lost GPU often shows first as a failed buffer read in the engine; the device's own `lost`
        // report follows within moments. Wait for it, so the user hears the cause and the way out
        // (another backend), not the symptom; `deviceLost` then answers the run itself.
        if (backend === 'webgpu' && !this.lost) await Promise.race([this.lostSignal, delay(LOSS_GRACE_MS)]);
        if (run.replied) return;
        const message = errorMessage(error);
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

  private async predict(request: RequestOf<'predict'>): Promise<void> {
    if (!this.trained) throw new Error('there is no trained model yet: run the lab first');
    const { predictor, labelNames } = this.trained;
    const byModel = await predictor.predict([request.text]);
    const probabilities: Record<string, number[]> = {};
    for (const [model, rows] of Object.entries(byModel)) probabilities[model] = rows[0] ?? [];
    const attributions: Record<string, number[]> = {};
    let tokens: string[] = [];
    for (const model of predictor.models()) {
      const out = await predictor.attributions(request.text, model);
      tokens = out.tokens;
      attributions[model] = out.scores;
    }
    const screens: Prediction['screens'] = {};
    for (const [filter, verdicts] of Object.entries(await predictor.screen([request.text]))) if (verdicts[0]) screens[filter] = verdicts[0];
    const value: Prediction = { text: request.text, labelNames, probabilities, tokens, attributions, screens };
    this.answer(request, value);
  }

  private samples(request: RequestOf<'samples'>): void {
    if (!this.trained) throw new Error('there is no trained model yet: run the lab first');
    const { predictor, labelNames } = this.trained;
    const value = predictor.samples().map(({ text, label }) => ({ text, label, labelName: labelNames[label] ?? String(label) }));
    this.answer(request, value);
  }

  /**
   * A sweep: one run per cell of the request's spec on its config, sharing the model cache, each
   * predictor freed at once. Takes the run slot like a run does (a new run or `cancel` stops it); it
   * streams `sweep-progress` messages, not engine events, so the run's charts are left alone.
   */
  private async sweep(request: RequestOf<'sweep'>): Promise<void> {
    const previous = this.current;
    let finish = () => {};
    const run: ActiveRun = { runId: request.runId, requestId: request.id, controller: new AbortController(), finished: new Promise<void>((r) => (finish = r)), replied: false };
    this.current = run;
    const answer = (value: SweepOutcome) => {
      if (run.replied) return;
      run.replied = true;
      this.answer(request, value);
    };
    const { signal } = run.controller;
    try {
      if (previous) {
        previous.controller.abort();
        await previous.finished;
      }
      if (this.lost) return answer({ outcome: 'error', message: this.lost.message });
      if (!this.backend) throw new Error('the worker was not initialised: send "init" first');
      const report = await this.backend;
      const dataset = await this.deps.loadDataset(request.dataset, { baseUrl: this.baseUrl, seed: request.config.seed, signal });
      const cells = sweepCells(request.config, request.spec, dataset.labelNames.length);
      const progress = (cell: number, stage: string | null) =>
        this.deps.post({ type: 'sweep-progress', runId: run.runId, cell, cells: cells.length, name: cells[cell]!.name, stage });
      const done = await runSweep(cells, async (cell, i) => {
        progress(i, null);
        const output = await this.deps.runExperiment(cell.config, dataset, {
          emit: (event) => {
            if (event.type === 'stage-start' && !event.phase) progress(i, event.stage);
          },
          signal,
          backend: report.backend,
          ...this.lanesOption(report.backend),
          ...(this.deps.cache ? { cache: this.deps.cache } : {}),
          ...this.shippedOption(),
        });
        output.predictor.dispose();
        return output.results;
      });
      answer({ outcome: 'done', cells: done });
    } catch (error) {
      answer(signal.aborted ? { outcome: 'cancelled' } : { outcome: 'error', message: errorMessage(error) });
    } finally {
      if (this.current === run) this.current = undefined;
      finish();
    }
  }

  /**
   * The feature map: the try-it sentences, plus each non-target one with the trigger, through every
   * model; each model's pooled features projected on their own top two principal components, and the
   * label it predicts for each.
   */
  private async features(request: RequestOf<'features'>): Promise<void> {
    if (!this.trained) throw new Error('there is no trained model yet: run the lab first');
    const { predictor, labelNames, config } = this.trained;
    const clean = predictor.samples();
    const points = [
      ...clean.map((e) => ({ text: e.text, label: e.label, triggered: false })),
      ...clean.filter((e) => e.label !== config.attack.targetLabel).map((e) => ({ text: withTrigger(e.text, config.attack), label: e.label, triggered: true })),
    ].map((p) => ({ ...p, labelName: labelNames[p.label] ?? String(p.label) }));
    const texts = points.map((p) => p.text);
    const coords: Record<string, Float32Array> = {};
    const predicted: Record<string, number[]> = {};
    // The models' own predictions only: screening every point with ONION or STRIP would be wasted here.
    const probabilities = await predictor.classify(texts);
    for (const model of predictor.models()) {
      const { data, dim } = await predictor.features(texts, model);
      coords[model] = pca(data, texts.length, dim, 2).coords;
      predicted[model] = (probabilities[model] ?? []).map((row) => row.indexOf(Math.max(...row)));
    }
    const value: FeatureMap = { points, coords, predicted };
    this.answer(request, value, Object.values(coords).map((c) => c.buffer));
  }

  /** Lists the model cache, after clearing it for `cache-clear`; a cache that cannot list answers empty. */
  private async cacheRequest(request: RequestOf<'cache-list' | 'cache-clear'>): Promise<void> {
    const cache = this.deps.cache;
    if (request.type === 'cache-clear') {
      if (this.current) throw new Error('a run is using the model cache; cancel it or wait for it to finish first');
      await cache?.clear?.();
    }
    const value = (await cache?.list?.()) ?? [];
    this.answer(request, value);
  }

  /** Posts the successful reply to `request` (`transfer`: buffers handed over, not copied). */
  private answer<K extends RequestType>(request: { id: number; type: K }, value: Requests[K]['value'], transfer?: Transferable[]): void {
    const reply = { type: 'reply', id: request.id, request: request.type, ok: true, value } as ReplyOf<K> as Reply;
    if (transfer) this.deps.post(reply, transfer);
    else this.deps.post(reply);
  }

  private reply(run: ActiveRun, outcome: RunOutcome): void {
    if (run.replied) return;
    const message: Reply = { type: 'reply', id: run.requestId, request: 'run', ok: true, value: outcome };
    this.deps.post(message);
    run.replied = true;
  }

  /** The defense lanes a run or a sweep's cell on `backend` gets (none where the edge offers none). */
  private lanesOption(backend: BackendName): { lanes?: LaneFactory } {
    const lanes = this.deps.lanes?.(backend, this.baseUrl, this.requestedLanes);
    return lanes && lanes.count > 0 ? { lanes } : {};
  }

  /** The engine's `shipped` and `published` options, bound to where this page is served. */
  private shippedOption(): Pick<RunOptions, 'shipped' | 'published'> {
    const { shipped, published } = this.deps;
    return { ...(shipped ? { shipped: () => shipped(this.baseUrl) } : {}), ...(published ? { published: () => published(this.baseUrl) } : {}) };
  }

  private disposeTrained(): void {
    this.trained?.predictor.dispose();
    this.trained = undefined;
  }
}

/** How long a failed WebGPU run waits for the device's `lost` report before it reports its own error. */
const LOSS_GRACE_MS = 1000;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

