/**
 * Cancel at ten moments spread over every stage, through the worker's own request handler and the real
 * engine: each time the run answers "cancelled", the worker's tensor count is back to what it was
 * before the run, and the next run on the same handler completes. The browser e2e test does the same
 * for one moment in a real worker; this one covers the moments a click could land on.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { applyPatch, type ExperimentConfig } from '../src/engine/config';
import { configFromPreset } from '../src/engine/presets';
import type { Dataset } from '../src/engine/data/types';
import type { LabEvent } from '../src/engine/events';
import { runExperiment } from '../src/engine/pipeline';
import { loadDataDir } from '../src/cli/node-data';
import { LabHandler } from '../workers/handler';
import type { UiRequest, WorkerMessage } from '../workers/protocol';

const SST2 = new URL('../../shared/data/sst2', import.meta.url).pathname;

/** Every stage kind, as small as still exercises it: two epochs where "between epochs" must exist. */
const config = (): ExperimentConfig =>
  applyPatch(configFromPreset('quick'), {
    seed: 3,
    data: { source: 'sst2', maxTrain: 240, maxTest: 40, maxLength: 16, tokenizer: 'word', vocabSize: 600, defenseFraction: 0.5 },
    attack: { kind: 'badnet', trigger: 'mn', labelMode: 'dirty', budgetKind: 'rate', budget: 0.3, targetLabel: 1, position: 'random' },
    models: { student: { layers: 1, dModel: 16, heads: 2, dFF: 32 }, teacher: { layers: 1, dModel: 8, heads: 2, dFF: 16 }, dropout: 0 },
    pretrain: { checkpoint: 'none', studentSteps: 6, teacherSteps: 4, batchSize: 32, extraCorpus: 'none' },
    taskModel: { enabled: true, epochs: 1 },
    // Fixed epochs: the defenses must run (and be cancelled) whatever the tiny model's ASR.
    poison: { epochs: 2, batchSize: 32, method: 'full', untilAsr: 0 },
    teacher: { epochs: 1, batchSize: 32 },
    defense: { epochs: 1, batchSize: 32, methods: ['lora', 'w2sdefense', 'onion'], onion: { maxTexts: 6 } },
  });

type Posted = Extract<WorkerMessage, { type: 'event' }>['event'] | Extract<WorkerMessage, { type: 'sweep-progress' }>;

/** When to cancel: the first message that matches, and whether to wait a tick so the abort lands mid-work. */
interface CancelPoint {
  name: string;
  at: (m: Posted) => boolean;
  /** Abort on the next macrotask: the engine is then inside the next step's awaits, not between them. */
  deferred?: boolean;
  sweep?: boolean;
}

const isStep = (m: Posted, stage: string, step?: number, phase?: string): boolean =>
  m.type === 'step' && m.stage === stage && (step === undefined || m.step === step) && (phase === undefined || m.phase === phase);

const POINTS: CancelPoint[] = [
  { name: 'pretraining the student, mid-step', at: (m) => isStep(m, 'pretrain', 1), deferred: true },
  { name: 'pretraining the teacher', at: (m) => isStep(m, 'teacher', 1, 'pretrain') },
  { name: 'fitting the task model, mid-step', at: (m) => isStep(m, 'task', 2), deferred: true },
  { name: 'poisoning, during the epoch-end evaluation', at: (m) => m.type === 'step' && m.stage === 'poison' && m.epoch === 1 && m.step === m.stepsPerEpoch },
  { name: 'poisoning, between epochs', at: (m) => m.type === 'epoch' && m.stage === 'poison' && m.epoch === 1 },
  { name: 'probing where the backdoor lives', at: (m) => m.type === 'stage-end' && m.stage === 'poison', deferred: true },
  { name: 'fine-tuning the teacher', at: (m) => isStep(m, 'teacher', 1), deferred: true },
  { name: 'the W2SDefense distillation, mid-step', at: (m) => isStep(m, 'defense:w2sdefense', 1), deferred: true },
  { name: 'ONION screening the test sets', at: (m) => isStep(m, 'defense:onion', 1), deferred: true },
  { name: 'the second cell of a sweep', at: (m) => m.type === 'sweep-progress' && m.cell === 1 && m.stage === 'poison', deferred: true, sweep: true },
];

let dataset: Dataset;
beforeAll(async () => {
  await tf.setBackend('wasm');
  dataset = await loadDataDir(SST2, 3);
});

/** A handler wired as the worker wires it, with the real engine; `post` is where a test listens. */
function worker() {
  let listener: (m: WorkerMessage) => void = () => {};
  const handler = new LabHandler({
    post: (m) => listener(m),
    chooseBackend: async () => ({ backend: 'wasm', skipped: [] }),
    loadDataset: async () => dataset,
    runExperiment,
    numTensors: () => tf.memory().numTensors,
  });
  let id = 0;
  /** Sends `request` and resolves with its reply, calling `onMessage` for everything posted meanwhile. */
  const send = (request: Omit<UiRequest, 'id'> & { type: UiRequest['type'] }, onMessage: (m: WorkerMessage) => void = () => {}) =>
    new Promise<Extract<WorkerMessage, { type: 'reply' }>>((resolve) => {
      const myId = ++id;
      listener = (m) => {
        onMessage(m);
        if (m.type === 'reply' && m.id === myId) resolve(m);
      };
      void handler.handle({ ...request, id: myId } as UiRequest);
    });
  return { handler, send };
}

describe('cancel at any moment', () => {
  it.each(POINTS)('$name: the tensors are freed and the next run completes', async (point) => {
    const { handler, send } = worker();
    await send({ type: 'init', baseUrl: 'http://lab.test/' } as Omit<UiRequest, 'id'> & { type: 'init' });
    const baseline = tf.memory().numTensors;
    let fired = false;
    const logs: string[] = [];
    const watch = (m: WorkerMessage) => {
      const posted: Posted | undefined = m.type === 'event' ? m.event : m.type === 'sweep-progress' ? m : undefined;
      if (posted?.type === 'log') logs.push(posted.message);
      if (!posted || fired || !point.at(posted)) return;
      fired = true;
      const cancel = () => void handler.handle({ type: 'cancel', id: 10_000 });
      if (point.deferred) setTimeout(cancel, 0);
      else cancel();
    };
    const spec = { kind: 'bundled' } as const;
    const reply = point.sweep
      ? await send({ type: 'sweep', runId: 1, config: config(), dataset: spec, spec: { triggers: [{ kind: 'badnet', trigger: 'mn' }, { kind: 'badnet', trigger: 'cf' }] } } as never, watch)
      : await send({ type: 'run', runId: 1, config: config(), dataset: spec } as never, watch);
    expect(fired, 'the cancel point was reached').toBe(true);
    expect(reply.ok && reply.value).toMatchObject({ outcome: 'cancelled' });
    expect(tf.memory().numTensors).toBe(baseline);
    if (!point.sweep) expect(logs.at(-1)).toBe(`Tensors in memory after the run: ${baseline}.`);

    // The same worker carries on: a fresh run (two repairs, no filter) completes.
    const events: LabEvent[] = [];
    const next = await send({ type: 'run', runId: 2, config: applyPatch(config(), { defense: { methods: ['lora'] } }), dataset: spec } as never, (m) => {
      if (m.type === 'event') events.push(m.event);
    });
    expect(next.ok && next.value).toMatchObject({ outcome: 'done' });
    expect(events.some((e) => e.type === 'stage-end' && e.stage === 'defense:lora')).toBe(true);
    const trained = tf.memory().numTensors;
    // A finished run keeps its predictor (the try-it box uses it); the next run frees it first.
    await send({ type: 'run', runId: 3, config: config(), dataset: spec } as never, (m) => {
      if (m.type === 'event' && m.event.type === 'stage-start' && m.event.stage === 'pretrain') void handler.handle({ type: 'cancel', id: 10_001 });
    });
    expect(tf.memory().numTensors).toBe(baseline);
    expect(trained).toBeGreaterThan(baseline);
  });
});
