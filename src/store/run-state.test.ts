import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../engine/config';
import type { LabEvent, RunResults, StageResult } from '../engine/events';
import { createLabStore } from './lab-store';
import type { StampedEvent } from './run-state';

const stageResult = (ca: number, asr: number, seconds = 2): StageResult => ({
  epochs: [{ epoch: 1, loss: 0.4, ca, asr }],
  final: { ca, asr, asrBase: 0.1 },
  seconds,
  samplesPerSecond: 50,
});

const RESULTS: RunResults = {
  backend: 'cpu',
  config: DEFAULT_CONFIG,
  stages: { poison: stageResult(0.9, 0.98), teacher: stageResult(0.8, 0.1), 'defense:w2sdefense': stageResult(0.88, 0.12) },
};

/** The stream a run emits, compressed: pretrain, poison (2 epochs), teacher with its own LM phase, one defense. */
function script(runId: number): StampedEvent[] {
  const events: LabEvent[] = [
    { type: 'ready', backend: 'cpu' },
    { type: 'stage-start', stage: 'pretrain', epochs: 2, stepsPerEpoch: 4 },
    { type: 'step', stage: 'pretrain', epoch: 1, step: 2, stepsPerEpoch: 4, loss: 5, samplesPerSecond: 100 },
    { type: 'epoch', stage: 'pretrain', epoch: 1, loss: 4.5 },
    { type: 'stage-end', stage: 'pretrain', result: { epochs: [], final: null, seconds: 3, samplesPerSecond: 100 } },
    { type: 'stage-start', stage: 'poison', epochs: 2, stepsPerEpoch: 5 },
    { type: 'step', stage: 'poison', epoch: 1, step: 5, stepsPerEpoch: 5, loss: 0.7, samplesPerSecond: 80 },
    { type: 'epoch', stage: 'poison', epoch: 1, loss: 0.6, ca: 0.85, asr: 0.7 },
    { type: 'step', stage: 'poison', epoch: 2, step: 5, stepsPerEpoch: 5, loss: 0.3, samplesPerSecond: 80 },
    { type: 'epoch', stage: 'poison', epoch: 2, loss: 0.3, ca: 0.9, asr: 0.98 },
    { type: 'stage-end', stage: 'poison', result: stageResult(0.9, 0.98) },
    { type: 'stage-start', stage: 'teacher', epochs: 1, stepsPerEpoch: 3 },
    { type: 'stage-start', stage: 'teacher', phase: 'pretrain', epochs: 2, stepsPerEpoch: 2 },
    { type: 'step', stage: 'teacher', phase: 'pretrain', epoch: 1, step: 1, stepsPerEpoch: 2, loss: 6, samplesPerSecond: 200 },
    { type: 'epoch', stage: 'teacher', phase: 'pretrain', epoch: 1, loss: 5.5, ca: 0.5, asr: 0.5 },
    { type: 'step', stage: 'teacher', epoch: 1, step: 3, stepsPerEpoch: 3, loss: 0.5, samplesPerSecond: 150 },
    { type: 'epoch', stage: 'teacher', epoch: 1, loss: 0.5, ca: 0.8, asr: 0.1 },
    { type: 'stage-end', stage: 'teacher', result: stageResult(0.8, 0.1) },
    { type: 'stage-start', stage: 'defense:w2sdefense', epochs: 1, stepsPerEpoch: 3 },
    { type: 'epoch', stage: 'defense:w2sdefense', epoch: 1, loss: 0.4, ca: 0.88, asr: 0.12 },
    { type: 'stage-end', stage: 'defense:w2sdefense', result: stageResult(0.88, 0.12) },
    { type: 'log', level: 'info', message: 'all done' },
    { type: 'done', results: RESULTS },
  ];
  return events.map((event) => ({ runId, event }));
}

function storeWithRun(runId: number) {
  const store = createLabStore();
  store.getState().setField('defense.methods', ['w2sdefense']);
  store.getState().setField('taskModel.enabled', false); // the scripted stream has no public task model
  store.getState().startRun(runId, 0);
  return store;
}

describe('run state reduced from the event stream', () => {
  it('starts with every stage pending, in pipeline order', () => {
    const { run } = storeWithRun(1).getState();
    expect(run.stageOrder).toEqual(['pretrain', 'poison', 'teacher', 'defense:w2sdefense']);
    expect(Object.values(run.stages).map((s) => s?.status)).toEqual(['pending', 'pending', 'pending', 'pending']);
    expect(run.status).toBe('running');
  });

  it('tracks progress, ETA and samples/s of the running stage', () => {
    const store = storeWithRun(1);
    const events = script(1);
    store.getState().applyEvents(events.slice(0, 2), 0);
    store.getState().applyEvents(events.slice(2, 3), 2000);
    const pretrain = store.getState().run.stages.pretrain!;
    expect(pretrain).toMatchObject({ status: 'running', epoch: 1, step: 2, fraction: 0.25, samplesPerSecond: 100 });
    expect(pretrain.etaSeconds).toBeCloseTo(6); // 2 of 8 steps in 2 s → 6 s left
    expect(store.getState().run.backend).toBe('cpu');
  });

  it('a full stream ends with every stage done, series per method, finals and results', () => {
    const store = storeWithRun(1);
    store.getState().applyEvents(script(1), 1000);
    const { run } = store.getState();
    expect(Object.values(run.stages).map((s) => s?.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(run.series.poisoned).toEqual([
      { epoch: 1, ca: 0.85, asr: 0.7 },
      { epoch: 2, ca: 0.9, asr: 0.98 },
    ]);
    // The teacher's language-model phase has no place on the CA/ASR charts.
    expect(run.series.teacher).toEqual([{ epoch: 1, ca: 0.8, asr: 0.1 }]);
    expect(run.series.w2sdefense).toEqual([{ epoch: 1, ca: 0.88, asr: 0.12 }]);
    expect(run.finals).toEqual({ poisoned: { ca: 0.9, asr: 0.98, asrBase: 0.1 }, teacher: { ca: 0.8, asr: 0.1, asrBase: 0.1 }, w2sdefense: { ca: 0.88, asr: 0.12, asrBase: 0.1 } });
    expect(run.results).toBe(RESULTS);
    expect(run.status).toBe('done');
    expect(run.logs).toEqual([{ level: 'info', message: 'all done' }]);
  });

  it('follows a phase switch inside a stage (the teacher pretrains, then fine-tunes)', () => {
    const store = storeWithRun(1);
    const events = script(1);
    store.getState().applyEvents(events.slice(0, 14), 0);
    expect(store.getState().run.stages.teacher).toMatchObject({ phase: 'pretrain', fraction: 0.25 });
    store.getState().applyEvents(events.slice(14, 16), 10);
    expect(store.getState().run.stages.teacher).toMatchObject({ phase: undefined, fraction: 1, step: 3 });
  });

  it('drops events stamped with another runId', () => {
    const store = storeWithRun(2);
    const before = store.getState().run;
    store.getState().applyEvents(script(1), 0);
    expect(store.getState().run).toBe(before);
    // Interleaved: only run 2's events count.
    store.getState().applyEvents([...script(1).slice(0, 8), ...script(2).slice(0, 3), { runId: 1, event: { type: 'error', message: 'old run failed' } }], 0);
    const { run, error } = store.getState();
    expect(run.series).toEqual({});
    expect(run.stages.pretrain?.status).toBe('running');
    expect(run.error).toBeNull();
    expect(error).toBeNull();
    store.getState().finishRun(1, { outcome: 'error', message: 'late reply of run 1' });
    expect(store.getState().run.status).toBe('running');
  });

  it('keeps untouched parts of the state identical, so charts do not re-render on a step', () => {
    const store = storeWithRun(1);
    const events = script(1);
    store.getState().applyEvents(events.slice(0, 8), 0);
    const { series, finals } = store.getState().run;
    store.getState().applyEvents(events.slice(8, 9), 1);
    expect(store.getState().run.series).toBe(series);
    expect(store.getState().run.finals).toBe(finals);
  });

  it('an error marks the running stage and sets the page error', () => {
    const store = storeWithRun(1);
    const events = script(1);
    store.getState().applyEvents([...events.slice(0, 7), { runId: 1, event: { type: 'error', message: 'out of memory' } }], 0);
    const { run, error } = store.getState();
    expect(run.stages.poison?.status).toBe('error');
    expect(run.stages.pretrain?.status).toBe('done');
    expect(run.status).toBe('error');
    expect(error).toBe('out of memory');
  });

  it('a run that fails before any stage finishes keeps the last finished run’s figures on the page', () => {
    const store = storeWithRun(1);
    store.getState().applyEvents(script(1), 1000);
    const done = store.getState().run;
    store.getState().startRun(2, 2000);
    expect(store.getState().run.finals).toEqual({}); // a new run starts clean
    store.getState().applyEvents([{ runId: 2, event: { type: 'error', message: 'could not load sst2 offline' } }], 2100);
    let { run } = store.getState();
    expect(run).toMatchObject({ status: 'error', error: 'could not load sst2 offline', showingPrevious: true });
    expect(run.finals).toBe(done.finals);
    expect(run.results).toBe(done.results);
    // Another early failure still falls back to the last run that finished, not to the failed one.
    store.getState().startRun(3, 3000);
    store.getState().applyEvents([{ runId: 3, event: { type: 'error', message: 'again' } }], 3100);
    run = store.getState().run;
    expect(run.results).toBe(done.results);
    // A run that got somewhere shows its own figures when it fails.
    store.getState().startRun(4, 4000);
    store.getState().applyEvents([...script(4).slice(0, 11), { runId: 4, event: { type: 'error', message: 'late' } }], 4100);
    run = store.getState().run;
    expect(run.showingPrevious).toBe(false);
    expect(run.finals).toEqual({ poisoned: { ca: 0.9, asr: 0.98, asrBase: 0.1 } });
  });

  it('cancelling returns the cut-short stage to pending; a new run starts clean', () => {
    const store = storeWithRun(1);
    store.getState().applyEvents(script(1).slice(0, 8), 0);
    store.getState().cancelRequested();
    expect(store.getState().run.status).toBe('cancelling');
    store.getState().finishRun(1, { outcome: 'cancelled' });
    const { run } = store.getState();
    expect(run.status).toBe('cancelled');
    expect(run.stages.poison?.status).toBe('pending');
    expect(Object.values(run.stages).some((s) => s?.status === 'running')).toBe(false);

    store.getState().startRun(2, 0);
    expect(store.getState().run.series).toEqual({});
    store.getState().applyEvents(script(2), 0);
    store.getState().finishRun(2, { outcome: 'done', results: RESULTS });
    expect(store.getState().run.status).toBe('done');
  });

  it('a lost GPU reply offers the next backend', () => {
    const store = storeWithRun(1);
    store.getState().applyEvents(script(1).slice(0, 8), 0);
    store.getState().finishRun(1, { outcome: 'error', message: 'The GPU device was lost', suggestBackend: 'webgl' });
    expect(store.getState().run.suggestBackend).toBe('webgl');
    expect(store.getState().error).toBe('The GPU device was lost');
    expect(store.getState().run.stages.poison?.status).toBe('error');
  });

  it('the done event completes stages whose stage-end never came, from the results', () => {
    const store = storeWithRun(1);
    const withoutDefenseEnd = script(1).filter((e) => !(e.event.type === 'stage-end' && e.event.stage === 'defense:w2sdefense'));
    store.getState().applyEvents(withoutDefenseEnd, 0);
    const { run } = store.getState();
    expect(run.stages['defense:w2sdefense']).toMatchObject({ status: 'done', seconds: 2 });
    expect(run.finals.w2sdefense).toEqual({ ca: 0.88, asr: 0.12, asrBase: 0.1 });
  });

  it('a stage that never reported its end is shown done once the next stage starts', () => {
    const store = storeWithRun(1);
    store.getState().applyEvents(
      [
        { runId: 1, event: { type: 'stage-start', stage: 'teacher', epochs: 1, stepsPerEpoch: 2 } },
        { runId: 1, event: { type: 'stage-start', stage: 'defense:w2sdefense', epochs: 1, stepsPerEpoch: 2 } },
      ],
      0,
    );
    expect(store.getState().run.stages.teacher?.status).toBe('done');
    expect(store.getState().run.stages['defense:w2sdefense']?.status).toBe('running');
  });

  it('defenses training side by side (in lanes) each keep their own progress until their own end', () => {
    const store = storeWithRun(1);
    store.getState().setField('defense.methods', ['lora', 'w2sdefense']);
    store.getState().startRun(1, 0);
    const step = (stage: 'defense:lora' | 'defense:w2sdefense', n: number): StampedEvent => ({
      runId: 1,
      event: { type: 'step', stage, epoch: 1, step: n, stepsPerEpoch: 4, loss: 0.5, samplesPerSecond: 90 },
    });
    store.getState().applyEvents(
      [
        { runId: 1, event: { type: 'stage-start', stage: 'defense:lora', epochs: 1, stepsPerEpoch: 4 } },
        { runId: 1, event: { type: 'stage-start', stage: 'defense:w2sdefense', epochs: 1, stepsPerEpoch: 4 } },
        step('defense:lora', 3),
        step('defense:w2sdefense', 1),
      ],
      0,
    );
    const { stages } = store.getState().run;
    expect(stages['defense:lora']).toMatchObject({ status: 'running', fraction: 0.75 });
    expect(stages['defense:w2sdefense']).toMatchObject({ status: 'running', fraction: 0.25 });
    store.getState().applyEvents([{ runId: 1, event: { type: 'stage-end', stage: 'defense:lora', result: stageResult(0.9, 0.9) } }], 1000);
    expect(store.getState().run.stages['defense:lora']?.status).toBe('done');
    expect(store.getState().run.stages['defense:w2sdefense']).toMatchObject({ status: 'running', fraction: 0.25 });
  });

  it('keeps the floors from their event, for the ASR chart to draw before the run ends', () => {
    const store = storeWithRun(1);
    expect(store.getState().run.floors).toBeNull();
    const floors = { cleanModelAsr: 0.31, triggered: 172, cleanTest: 200 };
    store.getState().applyEvents([...script(1).slice(0, 5), { runId: 1, event: { type: 'floors', floors } }], 0);
    expect(store.getState().run.floors).toEqual(floors);
    expect(store.getState().run.status).toBe('running');
    // The results carry them too: a done without the event (or a later reply) still has them.
    const fresh = storeWithRun(2);
    fresh.getState().applyEvents(script(2).map((e) => (e.event.type === 'done' ? { ...e, event: { type: 'done', results: { ...RESULTS, floors } } } : e)), 0);
    expect(fresh.getState().run.floors).toEqual(floors);
  });

  it('a failed attack marks the defenses skipped at once; the run ends done with no defense results', () => {
    const store = storeWithRun(1);
    const attack = { planted: false, devAsr: 0.71, epochs: 2, threshold: 0.95 };
    const upToPoison = script(1).slice(0, 11); // through the poison stage's end
    const teacher = script(1).slice(11, 18);
    const results: RunResults = { ...RESULTS, stages: { poison: RESULTS.stages.poison!, teacher: RESULTS.stages.teacher! }, attack };
    store.getState().applyEvents([...upToPoison, { runId: 1, event: { type: 'attack', attack, defensesSkipped: true } }], 0);
    expect(store.getState().run.attack).toEqual({ ...attack, defensesSkipped: true });
    expect(store.getState().run.stages['defense:w2sdefense']?.status).toBe('skipped');
    store.getState().applyEvents([...teacher, { runId: 1, event: { type: 'done', results } }], 0);
    const { run } = store.getState();
    expect(run.status).toBe('done');
    expect(Object.fromEntries(run.stageOrder.map((s) => [s, run.stages[s]?.status]))).toEqual({ pretrain: 'done', poison: 'done', teacher: 'done', 'defense:w2sdefense': 'skipped' });
    expect(Object.keys(run.finals)).toEqual(['poisoned', 'teacher']);
    expect(run.series.w2sdefense).toBeUndefined();
  });

  it('a run with fixed epochs (untilAsr 0) records a weak attack but runs and shows its defenses', () => {
    const store = storeWithRun(1);
    const attack = { planted: false, devAsr: 0.71, epochs: 2, threshold: 0.95 };
    const config = { ...DEFAULT_CONFIG, poison: { ...DEFAULT_CONFIG.poison, untilAsr: 0 } };
    const events = script(1);
    store.getState().applyEvents([...events.slice(0, 11), { runId: 1, event: { type: 'attack', attack, defensesSkipped: false } }], 0);
    expect(store.getState().run.stages['defense:w2sdefense']?.status).toBe('pending');
    store.getState().applyEvents(events.slice(11, -1), 0);
    // From the results alone (a reply without the event stream), whether defenses were skipped is derived from the config.
    store.getState().finishRun(1, { outcome: 'done', results: { ...RESULTS, config, attack } });
    const { run } = store.getState();
    expect(run.attack).toEqual({ ...attack, defensesSkipped: false });
    expect(run.stages['defense:w2sdefense']?.status).toBe('done');
  });

  it('a cached stage replays its epochs and moves its bar without steps', () => {
    const store = storeWithRun(1);
    store.getState().applyEvents(
      [
        { runId: 1, event: { type: 'stage-start', stage: 'poison', epochs: 2, stepsPerEpoch: 0 } },
        { runId: 1, event: { type: 'epoch', stage: 'poison', epoch: 1, loss: 0.5, ca: 0.8, asr: 0.9 } },
      ],
      0,
    );
    expect(store.getState().run.stages.poison?.fraction).toBe(0.5);
    store.getState().applyEvents([{ runId: 1, event: { type: 'stage-end', stage: 'poison', result: { ...stageResult(0.8, 0.9), cached: true } } }], 0);
    expect(store.getState().run.stages.poison).toMatchObject({ status: 'done', cached: true });
  });
});
