/**
 * A stage's model depends on what its cache key names and on nothing else: trained after a stage replayed
 * from the cache, it is the model trained after a live one, bit for bit. Dropout is where this broke: the
 * model object kept one mask stream across its stages, so a stage trained after a live stage drew other
 * masks than the same stage trained after a cached one, and a warm cache gave other figures than a cold
 * one (the syntactic preset's dev seed 2 did not replay, FINDINGS Round 16). Before the fix this test
 * failed at its first comparison, the task model's weights.
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPatch, type ExperimentConfig } from '../src/engine/config';
import { MemoryCache, type SavedWeights } from '../src/engine/cache';
import type { Dataset } from '../src/engine/data/types';
import { runExperiment } from '../src/engine/pipeline';
import { loadDataDir } from '../src/cli/node-data';
import { SST2, tinySst2 } from './tiny-config';

/** The tiny run with dropout on and a public task model: two chains (student, teacher) of trained stages. */
const config = (): ExperimentConfig =>
  applyPatch(tinySst2(), {
    models: { dropout: 0.1 },
    taskModel: { enabled: true, epochs: 1 },
    poison: { epochs: 2 },
    teacher: { epochs: 1 },
    defense: { methods: ['lora'] },
  });

let dataset: Dataset;

beforeAll(async () => {
  await tf.setBackend('wasm');
  const full = await loadDataDir(SST2, 7);
  dataset = { ...full, test: full.test.filter((_, i) => i % 12 === 0) };
});

/** A cache key's stage kind: `poison-1a2b3c4d` → `poison`. */
const kindOf = (key: string) => key.replace(/-[0-9a-f]+$/, '');

/** Runs the config on `cache` and returns every stored stage by its kind (`task`, `poison`, …). */
async function runOn(cache: MemoryCache): Promise<Map<string, SavedWeights>> {
  const { predictor } = await runExperiment(config(), dataset, { backend: 'wasm', emit: () => {}, cache });
  predictor.dispose();
  const stored = new Map<string, SavedWeights>();
  for (const { key } of await cache.list()) stored.set(kindOf(key), (await cache.get(key))!);
  return stored;
}

/** A new cache holding only the stages of `source` whose kind is in `keep`. */
async function cacheWith(source: MemoryCache, keep: string[]): Promise<MemoryCache> {
  const cache = new MemoryCache();
  for (const { key } of await source.list()) if (keep.includes(kindOf(key))) await cache.put(key, (await source.get(key))!);
  return cache;
}

/** Every weight, bit for bit; the stored result (timings) left out. */
function expectSameWeights(a: SavedWeights, b: SavedWeights, stage: string): void {
  const names = Object.keys(a).filter((n) => !n.startsWith('__'));
  expect(names.length, stage).toBeGreaterThan(0);
  expect(Object.keys(b).filter((n) => !n.startsWith('__')).sort(), stage).toEqual(names.sort());
  for (const n of names) expect(Array.from(b[n]!.data), `${stage} ${n}`).toEqual(Array.from(a[n]!.data));
}

describe('a stage trained after a cached stage equals one trained after a live one', () => {
  it('task, poison and teacher, with dropout on', async () => {
    const coldCache = new MemoryCache();
    const cold = await runOn(coldCache);
    expect([...cold.keys()].sort()).toEqual(['poison', 'pretrain-student', 'pretrain-teacher', 'task', 'teacher']);

    // Both language models replayed: the task model, the poisoning and the teacher train after them.
    const afterLms = await runOn(await cacheWith(coldCache, ['pretrain-student', 'pretrain-teacher']));
    for (const stage of ['task', 'poison', 'teacher']) expectSameWeights(cold.get(stage)!, afterLms.get(stage)!, stage);

    // The task model replayed too: the poisoning trains after it.
    const afterTask = await runOn(await cacheWith(coldCache, ['pretrain-student', 'task']));
    expectSameWeights(cold.get('poison')!, afterTask.get('poison')!, 'poison');
  }, 240_000);
});
