/**
 * The attacker's published models (public/checkpoints/published.json, made by `npm run build:published`):
 * each loads to exactly its saved values, and the quick preset finds every one of them under the cache
 * keys the pipeline computes today. An engine change that alters a key (numerics, data preparation, the
 * shipped checkpoints) makes them stale: the second test then fails, naming the stage to rebuild.
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPatch } from '../src/engine/config';
import { configFromPreset } from '../src/engine/presets';
import type { StageName } from '../src/engine/events';
import { CancelledError, runExperiment } from '../src/engine/pipeline';
import { StudentModel } from '../src/engine/models/student';
import { TeacherModel } from '../src/engine/models/teacher';
import { Rng } from '../src/engine/rng';
import { loadSource } from '../src/cli/node-data';
import { openPublishedFromDisk, openShippedFromDisk } from '../src/cli/shipped';

describe('the attacker’s published models', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });

  it('load to their saved values, each file matching its hash', async () => {
    const published = (await openPublishedFromDisk())!;
    expect(published, 'public/checkpoints/published.json is missing: run npm run build:published').not.toBeNull();
    expect(published.manifest.entries.map((e) => e.stage).sort()).toEqual(['poison', 'pretrain', 'task', 'teacher']);
    const cfg = configFromPreset(published.manifest.preset);
    const V = (await openShippedFromDisk()).tokenizer.vocabSize;
    for (const entry of published.manifest.entries) {
      const { weights } = (await published.load(entry.key))!;
      const labels = weights['head.W']!.shape[1]!;
      const model =
        entry.stage === 'teacher'
          ? new TeacherModel(cfg.models.teacher, V, cfg.data.maxLength, labels, cfg.models.student.dModel, 0, new Rng(1))
          : new StudentModel(cfg.models.student, V, cfg.data.maxLength, labels, 0, new Rng(1));
      try {
        model.setWeights(weights);
        const back = await model.readWeights();
        // Every published weight is one of the model's, and each is held exactly as saved.
        expect(Object.keys(weights).sort(), entry.stage).toEqual(Object.keys(back).sort());
        for (const [name, w] of Object.entries(weights)) expect(Array.from(back[name]!.data), `${entry.stage} ${name}`).toEqual(Array.from(w.data));
      } finally {
        model.dispose();
      }
    }
  });

  it('are found under the quick preset’s cache keys: its run trains nothing before the defenses', async () => {
    expect((await openPublishedFromDisk())!.manifest.preset).toBe('quick');
    const config = applyPatch(configFromPreset('quick'), { defense: { methods: ['lora'] } });
    const dataset = await loadSource(config.data.source, config.seed);
    const controller = new AbortController();
    const trained = new Set<StageName>();
    const published = new Set<StageName>();
    const run = runExperiment(config, dataset, {
      backend: 'wasm',
      signal: controller.signal,
      shipped: () => openShippedFromDisk(),
      published: () => openPublishedFromDisk(),
      emit: (e) => {
        // A training step before the defenses means a stale entry: stop at once rather than train it.
        if (e.type === 'step' && !e.stage.startsWith('defense:')) {
          trained.add(e.stage);
          controller.abort();
        }
        if (e.type === 'stage-end' && e.result.published) published.add(e.stage);
        if (e.type === 'stage-start' && e.stage.startsWith('defense:')) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect([...trained], 'stale published models: run npm run build:published').toEqual([]);
    expect([...published].sort()).toEqual(['poison', 'pretrain', 'task', 'teacher']);
  });
});
