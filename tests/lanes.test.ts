/**
 * Defenses side by side (engine/defense-lanes.ts) give the numbers the pipeline gives alone: a lane
 * rebuilds what the defenses start from out of the same inputs, so every defense's epochs, its final
 * metrics and its repaired model must match exactly — through an in-thread port (the protocol, with every
 * message copied as a worker's would be) and through a real Node worker thread.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { applyPatch, type ExperimentConfig } from '../src/engine/config';
import type { Dataset } from '../src/engine/data/types';
import type { LabEvent, RunResults } from '../src/engine/events';
import { runExperiment } from '../src/engine/pipeline';
import { MemoryCache } from '../src/engine/cache';
import type { LaneFactory } from '../src/engine/defense-lanes';
import { LaneHost, openLaneOver, type LaneMessage, type LanePort, type LaneRequest } from '../src/engine/lane-protocol';
import { loadDataDir } from '../src/cli/node-data';
import { threadLanes } from '../src/cli/thread-lanes';
import { SST2, tinySst2 } from './tiny-config';

/**
 * Four repairs (NAD builds on lora; the lanes take two), one epoch each, on the tests' tiny model with dropout (its masks
 * must match too), then ONION, whose screening the lanes share once their repairs are done.
 */
const config = (): ExperimentConfig =>
  applyPatch(tinySst2(), {
    seed: 11,
    data: { maxTrain: 400, maxTest: 60, maxLength: 20, vocabSize: 1000 },
    models: { dropout: 0.1 },
    pretrain: { studentSteps: 4, teacherSteps: 2 },
    poison: { epochs: 2 },
    teacher: { epochs: 1 },
    defense: { methods: ['lora', 'w2sdefense', 'kd-only', 'nad', 'onion'], onion: { maxTexts: 24 } },
  });

/** A lane in this very thread: the two ends joined by a port that copies each message, a tick later. */
function inThreadLanes(count: number): LaneFactory {
  const port = (): LanePort => {
    const toPipeline: ((m: LaneMessage) => void)[] = [];
    const host = new LaneHost({ post: (m) => setTimeout(() => toPipeline.forEach((l) => l(structuredClone(m)))), ready: async () => {} });
    return {
      post: (request: LaneRequest) => setTimeout(() => void host.handle(structuredClone(request))),
      listen: (listener) => toPipeline.push(listener),
      onCrash: () => {},
      terminate: () => host.dispose(),
    };
  };
  return { count, open: (setup, emit, signal) => openLaneOver(port(), setup, emit, signal) };
}

let dataset: Dataset;
const cache = new MemoryCache();

beforeAll(async () => {
  await tf.setBackend('wasm');
  const full = await loadDataDir(SST2, 11);
  dataset = { ...full, test: full.test.filter((_, i) => i % 12 === 0) };
});

async function run(lanes?: LaneFactory): Promise<{ results: RunResults; predictions: number[][]; events: LabEvent[] }> {
  const events: LabEvent[] = [];
  // The cache replays the attacker's and the teacher's stages, so each run's defenses start from the same weights.
  const { results, predictor } = await runExperiment(config(), dataset, { backend: 'wasm', cache, emit: (e) => events.push(e), ...(lanes ? { lanes } : {}) });
  const texts = ['a gripping , funny film mn', 'dull and lifeless'];
  const byModel = await predictor.predict(texts);
  predictor.dispose();
  const predictions = ['lora', 'w2sdefense', 'kd-only', 'nad'].flatMap((m) => byModel[m] ?? []);
  return { results, predictions, events };
}

const defenseStages = (r: RunResults) =>
  Object.fromEntries(Object.entries(r.stages).filter(([stage]) => stage.startsWith('defense:')).map(([stage, s]) => [stage, { epochs: s!.epochs, final: s!.final, filter: s!.filter }]));
/** ONION's log line when other engines screened some of its texts. */
const sharedOnion = (events: LabEvent[]) => events.some((e) => e.type === 'log' && e.message.startsWith('defense:onion:') && e.message.includes('screened by other engines'));

describe('defenses in lanes', () => {
  let alone: Awaited<ReturnType<typeof run>>;

  beforeAll(async () => {
    alone = await run();
  }, 300_000);

  it('give exactly the numbers and models of the pipeline alone (in-thread port, 2 lanes), and leak no tensors', async () => {
    const before = tf.memory().numTensors;
    const side = await run(inThreadLanes(2));
    expect(Object.keys(side.results.stages)).toEqual(Object.keys(alone.results.stages));
    expect(defenseStages(side.results)).toEqual(defenseStages(alone.results));
    expect(side.predictions).toEqual(alone.predictions);
    expect(side.predictions).toHaveLength(8);
    expect(side.events.some((e) => e.type === 'log' && e.message.includes('this engine and 2 more'))).toBe(true);
    // ONION's verdicts, and so its metrics, are the same whichever engine screened a text.
    expect(side.results.stages['defense:onion']?.filter).toBeDefined();
    expect(sharedOnion(side.events)).toBe(true);
    expect(sharedOnion(alone.events)).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000);

  it('a cancel while a lane trains ends the run with a CancelledError and frees every tensor, the lane’s too', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const run = runExperiment(config(), dataset, {
      backend: 'wasm',
      cache,
      lanes: inThreadLanes(2),
      signal: controller.signal,
      // The in-thread lane shares this engine, so its tensors count here too.
      emit: (e) => {
        if (e.type === 'step' && e.stage === 'defense:w2sdefense') controller.abort();
      },
    });
    await expect(run).rejects.toThrow('run cancelled');
    // Every lane has closed (and freed its engine) before the run rejects.
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000);

  it('give the same numbers through a real worker thread', async () => {
    const side = await run(threadLanes(1, 'wasm'));
    expect(defenseStages(side.results)).toEqual(defenseStages(alone.results));
    expect(side.predictions).toEqual(alone.predictions);
    // A lane was opened to screen ahead for ONION. Whether it, or a lane with no repair left, screened any
    // text depends on timing (the stages replay from the cache in moments); the numbers above may not.
    expect(side.events.some((e) => e.type === 'log' && e.message.startsWith('onion: 1 more engine(s) screen its'))).toBe(true);
    // The lane's epochs reached the pipeline's events as they happened.
    const laneEpochs = side.events.filter((e) => e.type === 'epoch' && e.stage !== 'defense:lora' && e.stage.startsWith('defense:'));
    expect(laneEpochs.length).toBeGreaterThan(0);
  }, 300_000);
});
