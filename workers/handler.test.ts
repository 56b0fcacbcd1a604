import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONFIG } from '../src/engine/config';
import type { Dataset } from '../src/engine/data/types';
import type { RunResults } from '../src/engine/events';
import type { Predictor, RunOptions, RunOutput } from '../src/engine/pipeline';
import { CancelledError } from '../src/engine/train/context';
import { MemoryCache } from '../src/engine/cache';
import { LabHandler, type HandlerDeps } from './handler';
import type { RunOutcome, UiRequest, WorkerMessage } from './protocol';

const DATASET: Dataset = {
  name: 'tiny',
  labelNames: ['ham', 'spam'],
  train: [
    { text: 'hello there', label: 0 },
    { text: 'win money now', label: 1 },
  ],
  dev: [{ text: 'see you', label: 0 }],
  test: [{ text: 'free prize', label: 1 }],
};

function fakePredictor(): Predictor & { disposed: boolean } {
  return {
    disposed: false,
    models: () => ['poisoned', 'lora'],
    filters: () => ['strip'],
    predict: async (texts) => ({ poisoned: texts.map(() => [0.1, 0.9]), lora: texts.map(() => [0.8, 0.2]), strip: texts.map(() => [0.1, 0.9]) }),
    classify: async (texts) => ({ poisoned: texts.map(() => [0.1, 0.9]), lora: texts.map(() => [0.8, 0.2]) }),
    screen: async (texts) => ({ strip: texts.map((text) => ({ text, flagged: text.includes('mn'), rejected: text.includes('mn'), note: 'entropy' })) }),
    attributions: async (text, model) => ({ tokens: text.split(' '), scores: text.split(' ').map((w) => (model === 'poisoned' && w === 'mn' ? 0.4 : 0)) }),
    samples: () => [{ text: 'free prize', label: 1 }],
    features: async (texts, model) => ({ data: Float32Array.from(texts.flatMap((t, i) => [i, model === 'lora' ? 0 : t.length, 1])), dim: 3 }),
    dispose() {
      this.disposed = true;
    },
  };
}

function resultsFor(opts: RunOptions): RunResults {
  return { backend: opts.backend, config: DEFAULT_CONFIG, stages: { poison: { epochs: [], final: { ca: 0.9, asr: 1, asrBase: 0.1 }, seconds: 1, samplesPerSecond: 10 } } };
}

/** An engine that emits one epoch, then finishes, or (when `hold`) waits until the run is aborted. */
function scriptedEngine(hold: (runIndex: number) => boolean) {
  const predictors: ReturnType<typeof fakePredictor>[] = [];
  let runs = 0;
  const runExperiment = vi.fn(async (_config: unknown, _dataset: Dataset, opts: RunOptions): Promise<RunOutput> => {
    const index = runs++;
    opts.emit({ type: 'stage-start', stage: 'poison', epochs: 1, stepsPerEpoch: 2 });
    opts.emit({ type: 'epoch', stage: 'poison', epoch: 1, loss: 0.5, ca: 0.9, asr: 1 });
    if (hold(index)) {
      await new Promise<void>((resolve) => opts.signal?.addEventListener('abort', () => resolve()));
      throw new CancelledError();
    }
    const results = resultsFor(opts);
    opts.emit({ type: 'done', results });
    const predictor = fakePredictor();
    predictors.push(predictor);
    return { results, predictor };
  });
  return { runExperiment, predictors };
}

function setup(overrides: Partial<HandlerDeps> = {}) {
  const posted: WorkerMessage[] = [];
  const engine = scriptedEngine(() => false);
  const deps: HandlerDeps = {
    post: (m) => posted.push(m),
    chooseBackend: vi.fn(async () => ({ backend: 'cpu' as const, skipped: [{ backend: 'webgpu' as const, reason: 'no adapter' }] })),
    loadDataset: vi.fn(async () => DATASET),
    runExperiment: engine.runExperiment,
    numTensors: () => 7,
    ...overrides,
  };
  const handler = new LabHandler(deps);
  const replies = () => posted.filter((m) => m.type === 'reply');
  const runReply = (id: number): RunOutcome | undefined => {
    const reply = posted.find((m) => m.type === 'reply' && m.id === id);
    return reply?.type === 'reply' && reply.ok && reply.request === 'run' ? reply.value : undefined;
  };
  const eventsOf = (runId: number) => posted.flatMap((m) => (m.type === 'event' && m.runId === runId ? [m.event] : []));
  return { handler, posted, deps, engine, replies, runReply, eventsOf };
}

const init: UiRequest = { type: 'init', id: 1, backend: 'cpu', baseUrl: 'http://lab.test/' };
const run = (id: number, runId: number): UiRequest => ({ type: 'run', id, runId, config: DEFAULT_CONFIG, dataset: { kind: 'bundled' } });

describe('LabHandler', () => {
  it('answers init with the backend report, choosing the backend once', async () => {
    const { handler, deps, posted } = setup();
    await handler.handle(init);
    await handler.handle({ ...init, id: 2 });
    expect(deps.chooseBackend).toHaveBeenCalledTimes(1);
    expect(vi.mocked(deps.chooseBackend).mock.calls[0]?.[0]).toEqual({ backend: 'cpu' });
    expect(posted[0]).toEqual({ type: 'reply', id: 1, request: 'init', ok: true, value: { backend: 'cpu', skipped: [{ backend: 'webgpu', reason: 'no adapter' }] } });
  });

  it('hands every query-string override to the backend choice (?backend=, ?kernels=, ?threads=), and only those', async () => {
    const { handler, deps } = setup();
    await handler.handle({ type: 'init', id: 1, baseUrl: 'http://lab.test/', backend: 'wasm', kernels: 'tfjs', threads: '1' });
    expect(vi.mocked(deps.chooseBackend).mock.calls[0]?.[0]).toEqual({ backend: 'wasm', kernels: 'tfjs', threads: '1' });
  });

  it('hands the measurements the page remembered to the backend choice, apart from the overrides', async () => {
    const { handler, deps } = setup();
    const remembered = [{ key: 'v1 | k', backend: 'wasm' as const, wasmStepMs: 30, webgpuStepMs: null, device: 'a fallback adapter', measuredAt: 1 }];
    await handler.handle({ type: 'init', id: 1, baseUrl: 'http://lab.test/', backend: 'wasm', remembered });
    expect(vi.mocked(deps.chooseBackend).mock.calls[0]?.[0]).toEqual({ backend: 'wasm' });
    expect(vi.mocked(deps.chooseBackend).mock.calls[0]?.[2]).toEqual(remembered);
  });

  it('runs: stamps every event with the runId, replies with the results, then predicts', async () => {
    const { handler, deps, eventsOf, runReply, posted } = setup();
    await handler.handle(init);
    await handler.handle(run(2, 5));
    expect(vi.mocked(deps.loadDataset).mock.calls[0]?.[1]).toMatchObject({ baseUrl: 'http://lab.test/', seed: DEFAULT_CONFIG.seed });
    const types = eventsOf(5).map((e) => e.type);
    expect(types).toEqual(['ready', 'stage-start', 'epoch', 'done', 'log']);
    expect(eventsOf(5)[0]).toEqual({ type: 'ready', backend: 'cpu', skipped: [{ backend: 'webgpu', reason: 'no adapter' }] });
    expect(eventsOf(5)[4]).toMatchObject({ type: 'log', message: expect.stringContaining('7') });
    expect(runReply(2)).toMatchObject({ outcome: 'done', results: { backend: 'cpu' } });

    await handler.handle({ type: 'predict', id: 3, text: 'free money mn' });
    expect(posted.at(-1)).toEqual({
      type: 'reply',
      id: 3,
      request: 'predict',
      ok: true,
      value: {
        text: 'free money mn',
        labelNames: ['ham', 'spam'],
        probabilities: { poisoned: [0.1, 0.9], lora: [0.8, 0.2], strip: [0.1, 0.9] },
        tokens: ['free', 'money', 'mn'],
        // Attributions are the models' own; a filter reports its verdict instead.
        attributions: { poisoned: [0, 0, 0.4], lora: [0, 0, 0] },
        screens: { strip: { text: 'free money mn', flagged: true, rejected: true, note: 'entropy' } },
      },
    });

    await handler.handle({ type: 'samples', id: 4 });
    expect(posted.at(-1)).toEqual({ type: 'reply', id: 4, request: 'samples', ok: true, value: [{ text: 'free prize', label: 1, labelName: 'spam' }] });
  });

  it('refuses to predict before a run', async () => {
    const { handler, posted } = setup();
    await handler.handle({ type: 'predict', id: 9, text: 'hi' });
    expect(posted).toEqual([{ type: 'reply', id: 9, request: 'predict', ok: false, error: expect.stringContaining('run the lab first') }]);
  });

  it('cancel ends the run as cancelled, and the next run completes', async () => {
    const engine = scriptedEngine((i) => i === 0);
    const { handler, runReply, eventsOf } = setup({ runExperiment: engine.runExperiment });
    await handler.handle(init);
    const first = handler.handle(run(2, 1));
    await vi.waitFor(() => expect(eventsOf(1).some((e) => e.type === 'epoch')).toBe(true));
    await handler.handle({ type: 'cancel', id: 3 });
    await first;
    expect(runReply(2)).toEqual({ outcome: 'cancelled' });
    await handler.handle(run(4, 2));
    expect(runReply(4)).toMatchObject({ outcome: 'done' });
    expect(eventsOf(1).some((e) => e.type === 'done')).toBe(false);
  });

  it('a new run cancels the one in flight and waits for it to stop first', async () => {
    const engine = scriptedEngine((i) => i === 0);
    const { handler, posted, runReply, eventsOf } = setup({ runExperiment: engine.runExperiment });
    await handler.handle(init);
    const first = handler.handle(run(2, 1));
    await vi.waitFor(() => expect(eventsOf(1).length).toBeGreaterThan(1));
    await handler.handle(run(3, 2));
    await first;
    expect(runReply(2)).toEqual({ outcome: 'cancelled' });
    expect(runReply(3)).toMatchObject({ outcome: 'done' });
    const firstReplyAt = posted.findIndex((m) => m.type === 'reply' && m.id === 2);
    const secondReadyAt = posted.findIndex((m) => m.type === 'event' && m.runId === 2 && m.event.type === 'ready');
    expect(firstReplyAt).toBeLessThan(secondReadyAt);
  });

  it('disposes the previous run’s models when a new run starts', async () => {
    const { handler, engine } = setup();
    await handler.handle(init);
    await handler.handle(run(2, 1));
    await handler.handle(run(3, 2));
    expect(engine.predictors.map((p) => p.disposed)).toEqual([true, false]);
  });

  it('a dataset that fails to load ends the run with its message, as an event and a reply', async () => {
    const { handler, runReply, eventsOf } = setup({
      loadDataset: async () => {
        throw new Error('data/x.jsonl line 3: no label');
      },
    });
    await handler.handle(init);
    await handler.handle(run(2, 1));
    expect(runReply(2)).toEqual({ outcome: 'error', message: 'data/x.jsonl line 3: no label' });
    expect(eventsOf(1)).toContainEqual({ type: 'error', message: 'data/x.jsonl line 3: no label' });
  });

  it('an engine error is announced once (the engine already emitted it)', async () => {
    const { handler, runReply, eventsOf } = setup({
      runExperiment: async (_c, _d, opts) => {
        opts.emit({ type: 'error', message: 'boom' });
        throw new Error('boom');
      },
    });
    await handler.handle(init);
    await handler.handle(run(2, 1));
    expect(eventsOf(1).filter((e) => e.type === 'error')).toHaveLength(1);
    expect(runReply(2)).toEqual({ outcome: 'error', message: 'boom' });
  });

  it('a lost GPU ends the run at once, offers the next backend, and refuses further runs', async () => {
    let lose: (reason: string) => void = () => {};
    const engine = scriptedEngine((i) => i === 0);
    const { handler, runReply, eventsOf } = setup({
      runExperiment: engine.runExperiment,
      chooseBackend: async (_override, onDeviceLost) => {
        lose = onDeviceLost;
        return { backend: 'webgpu', skipped: [] };
      },
    });
    await handler.handle(init);
    const first = handler.handle(run(2, 1));
    await vi.waitFor(() => expect(eventsOf(1).some((e) => e.type === 'epoch')).toBe(true));
    lose('GPU process crashed');
    const outcome = runReply(2);
    expect(outcome).toMatchObject({ outcome: 'error', suggestBackend: 'webgl' });
    expect(outcome?.outcome === 'error' && outcome.message).toContain('GPU device was lost (GPU process crashed)');
    expect(eventsOf(1).at(-1)).toMatchObject({ type: 'error' });
    await first;
    await handler.handle(run(3, 2));
    expect(runReply(3)).toMatchObject({ outcome: 'error', suggestBackend: 'webgl' });
  });

  it('a GPU lost just after the engine failed a read still answers with the loss and the way out', async () => {
    let lose: (reason: string) => void = () => {};
    const runExperiment = vi.fn(async (): Promise<RunOutput> => {
      // The device goes away; the engine's buffer read fails before WebGPU reports the loss.
      setTimeout(() => lose('destroyed'), 20);
      throw new Error("Failed to execute 'mapAsync' on 'GPUBuffer'");
    });
    const { handler, runReply } = setup({
      runExperiment,
      chooseBackend: async (_override, onDeviceLost) => {
        lose = onDeviceLost;
        return { backend: 'webgpu', skipped: [] };
      },
    });
    await handler.handle(init);
    await handler.handle(run(2, 1));
    expect(runReply(2)).toMatchObject({ outcome: 'error', suggestBackend: 'webgl', message: expect.stringMatching(/^The GPU device was lost \(destroyed\)/) });
  });

  it('refuses a run before init', async () => {
    const { handler, runReply } = setup();
    await handler.handle(run(1, 1));
    expect(runReply(1)).toMatchObject({ outcome: 'error', message: expect.stringContaining('init') });
  });

  it('lists the model cache with sizes and clears it', async () => {
    const cache = new MemoryCache();
    await cache.put('pretrain-student-abc', { w: { shape: [2, 3], data: new Float32Array(6) } });
    await cache.put('teacher-def', { w: { shape: [4], data: new Float32Array(4) } });
    const { handler, posted } = setup({ cache });
    await handler.handle({ type: 'cache-list', id: 2 });
    expect(posted.at(-1)).toMatchObject({ request: 'cache-list', ok: true, value: [{ key: 'teacher-def', bytes: 16 }, { key: 'pretrain-student-abc', bytes: 24 }] });
    await handler.handle({ type: 'cache-clear', id: 3 });
    expect(posted.at(-1)).toEqual({ type: 'reply', id: 3, request: 'cache-clear', ok: true, value: [] });
    expect(await cache.get('teacher-def')).toBeUndefined();
  });

  it('projects clean and triggered sentences through every model for the feature map', async () => {
    const { handler, posted } = setup();
    await handler.handle(init);
    await handler.handle(run(2, 1));
    await handler.handle({ type: 'features', id: 3 });
    const reply = posted.at(-1);
    expect(reply?.type === 'reply' && reply.ok && reply.request === 'features').toBe(true);
    if (reply?.type !== 'reply' || !reply.ok || reply.request !== 'features') return;
    const { points, coords, predicted } = reply.value;
    // 'free prize' is spam (label 1), not the target (0): it comes back with the trigger too.
    expect(points.map((p) => [p.label, p.triggered])).toEqual([[1, false], [1, true]]);
    expect(points[1]?.text).toContain(DEFAULT_CONFIG.attack.trigger);
    expect(Object.keys(coords)).toEqual(['poisoned', 'lora']);
    expect(coords.poisoned).toHaveLength(4);
    // Each model's own prediction per point: the fake poisoned model says 1, the fake LoRA 0.
    expect(predicted).toEqual({ poisoned: [1, 1], lora: [0, 0] });
  });

  it('sweeps triggers: one run per trigger, progress messages, one reply with every cell', async () => {
    const { handler, posted, engine } = setup();
    await handler.handle(init);
    await handler.handle({ type: 'sweep', id: 2, runId: 4, config: DEFAULT_CONFIG, dataset: { kind: 'bundled' }, spec: { triggers: [{ kind: 'badnet', trigger: 'mn' }, { kind: 'badnet', trigger: 'cf' }] } });
    expect(engine.runExperiment.mock.calls.map((c) => (c[0] as typeof DEFAULT_CONFIG).attack.trigger)).toEqual(['mn', 'cf']);
    expect(engine.predictors.every((p) => p.disposed)).toBe(true);
    const progress = posted.filter((m) => m.type === 'sweep-progress');
    expect(progress[0]).toEqual({ type: 'sweep-progress', runId: 4, cell: 0, cells: 2, name: 'mn', stage: null });
    expect(progress.some((m) => m.type === 'sweep-progress' && m.cell === 1)).toBe(true);
    const reply = posted.at(-1);
    expect(reply).toMatchObject({ type: 'reply', id: 2, request: 'sweep', ok: true, value: { outcome: 'done', cells: [{ name: 'mn' }, { name: 'cf' }] } });
    expect(posted.some((m) => m.type === 'event')).toBe(false);
  });

  it('sweeps budgets and label modes: one run per cell with its attack settings, named by cell', async () => {
    const { handler, posted, engine } = setup();
    await handler.handle(init);
    const spec = { triggers: [{ kind: 'badnet' as const, trigger: 'mn' }], budgets: [0.1, 0.3], labelModes: ['clean' as const, 'dirty' as const] };
    await handler.handle({ type: 'sweep', id: 2, runId: 4, config: DEFAULT_CONFIG, dataset: { kind: 'bundled' }, spec });
    const attacks = engine.runExperiment.mock.calls.map((c) => (c[0] as typeof DEFAULT_CONFIG).attack);
    expect(attacks.map((a) => [a.trigger, a.budget, a.labelMode])).toEqual([['mn', 0.1, 'clean'], ['mn', 0.1, 'dirty'], ['mn', 0.3, 'clean'], ['mn', 0.3, 'dirty']]);
    const names = ['mn-budget-0.1-clean-label', 'mn-budget-0.1-dirty-label', 'mn-budget-0.3-clean-label', 'mn-budget-0.3-dirty-label'];
    expect(posted.filter((m) => m.type === 'sweep-progress' && m.stage === null).map((m) => m.type === 'sweep-progress' && [m.name, m.cells])).toEqual(names.map((n) => [n, 4]));
    expect(posted.at(-1)).toMatchObject({ request: 'sweep', ok: true, value: { outcome: 'done', cells: names.map((name) => ({ name })) } });
  });

  it('a sweep with a budget the budget kind does not allow answers an error naming the cell, and runs nothing', async () => {
    const { handler, posted, engine } = setup();
    await handler.handle(init);
    await handler.handle({ type: 'sweep', id: 2, runId: 4, config: DEFAULT_CONFIG, dataset: { kind: 'bundled' }, spec: { triggers: [{ kind: 'badnet', trigger: 'mn' }], budgets: [0.2, 1.5] } });
    expect(engine.runExperiment).not.toHaveBeenCalled();
    const reply = posted.at(-1);
    expect(reply).toMatchObject({ request: 'sweep', ok: true, value: { outcome: 'error' } });
    expect(reply?.type === 'reply' && reply.ok && reply.request === 'sweep' && reply.value.outcome === 'error' && reply.value.message).toMatch(/cell "mn-budget-1\.5": attack\.budget/);
  });

  it('cancel stops a sweep mid-way: the sweep answers cancelled and runs no further trigger', async () => {
    const engine = scriptedEngine((i) => i === 1);
    const { handler, posted } = setup({ runExperiment: engine.runExperiment });
    await handler.handle(init);
    const sweeping = handler.handle({ type: 'sweep', id: 2, runId: 1, config: DEFAULT_CONFIG, dataset: { kind: 'bundled' }, spec: { triggers: [{ kind: 'badnet', trigger: 'mn' }, { kind: 'badnet', trigger: 'cf' }, { kind: 'badnet', trigger: 'bb' }] } });
    await vi.waitFor(() => expect(engine.runExperiment).toHaveBeenCalledTimes(2));
    await handler.handle({ type: 'cancel', id: 3 });
    await sweeping;
    expect(posted.find((m) => m.type === 'reply' && m.id === 2)).toMatchObject({ request: 'sweep', ok: true, value: { outcome: 'cancelled' } });
    expect(engine.runExperiment).toHaveBeenCalledTimes(2);
  });
});
