/**
 * The whole pipeline, tiny, on a slice of SST-2 (read from ../shared, never copied): the backdoor must
 * be learned, every defense must run and report CA/ASR, tensors must not leak, cancel must free all.
 * Whether a defense *works* is measured by `npm run bench:science`, never forced here.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { applyPatch, DEFENSE_METHODS, type ExperimentConfig } from '../src/engine/config';
import { DEFENSES } from '../src/engine/defenses/catalog';
import type { Dataset } from '../src/engine/data/types';
import type { LabEvent } from '../src/engine/events';
import { CancelledError, runExperiment } from '../src/engine/pipeline';
import { MemoryCache } from '../src/engine/cache';
import { openShippedFromDisk } from '../src/cli/shipped';
import { readParams } from '../src/engine/models/encoder';
import { StudentModel } from '../src/engine/models/student';
import { loadLanguageModel } from '../src/engine/models/checkpoint';
import { Rng } from '../src/engine/rng';
import { tinySst2, tinySst2Data } from './tiny-config';

const tiny = tinySst2;
/**
 * `tiny` with every defense of the catalog. ONION screens at most 120 triggered sentences (of the test
 * split's ~900), as many as the clean set holds: its masked-LM passes per word dominate the run otherwise.
 */
const everyDefense = (): ExperimentConfig => applyPatch(tiny(), { defense: { methods: [...DEFENSE_METHODS], onion: { maxTexts: 120 } } });
/** Every non-target sentence of the whole test split: the triggered set, whatever `data.maxTest` is. */
const nonTargetTest = (config: ExperimentConfig) => dataset.test.filter((e) => e.label !== config.attack.targetLabel).length;
const REPAIRS = DEFENSE_METHODS.filter((m) => DEFENSES[m].kind === 'repair');
const FILTERS = DEFENSE_METHODS.filter((m) => DEFENSES[m].kind === 'filter');
let dataset: Dataset;

beforeAll(async () => {
  // WASM, not CPU: the same run is ~10x faster, and it is the Node runner's backend.
  await tf.setBackend('wasm');
  dataset = await tinySst2Data();
});

describe('runExperiment (tiny SST-2 slice)', () => {
  it('learns the backdoor, runs every defense of the catalog, reports CA/ASR per epoch and leaks no tensors', async () => {
    const events: LabEvent[] = [];
    const tensorsAtEpoch = new Map<string, number[]>();
    const before = tf.memory().numTensors;
    const { results, predictor } = await runExperiment(everyDefense(), dataset, {
      backend: 'wasm',
      emit: (e) => {
        events.push(e);
        if (e.type === 'epoch') {
          const key = `${e.stage}/${e.phase ?? ''}`;
          tensorsAtEpoch.set(key, [...(tensorsAtEpoch.get(key) ?? []), tf.memory().numTensors]);
        }
      },
    });

    const poison = results.stages.poison!;
    // Full-FT poisoning of this tiny model: ASR > 0.9 and CA > 0.55 on every CI and local run since the
    // test was written (the config is unchanged, see `tiny`); the defenses are not judged here. The run
    // is deterministic for a given engine (config, seed and backend fix the numbers; "the same numbers
    // twice" below checks it), so this margin can only move when the engine's numerics change.
    expect(poison.final!.asr).toBeGreaterThan(0.9); // the backdoor is in
    expect(poison.final!.ca).toBeGreaterThan(0.55); // above chance on the balanced slice
    // Every repair trains for the configured epochs and hands on the last epoch's metrics (no best-by-dev here).
    for (const m of REPAIRS) {
      const r = results.stages[`defense:${m}`]!;
      expect(r.epochs.map((e) => e.epoch), m).toEqual([1]);
      expect(r.final, m).toEqual({ ca: r.epochs[0]!.ca, asr: r.epochs[0]!.asr, asrBase: r.epochs[0]!.asrBase });
      expect(r.samplesPerSecond, m).toBeGreaterThan(0);
    }
    // Every filter screens the test sets in front of the poisoned model. Unscreened, its metrics are the
    // poisoned stage's — computed again from the texts, by another path (re-tokenised, re-batched).
    for (const m of FILTERS.filter((f) => f !== 'onion')) {
      const r = results.stages[`defense:${m}`]!;
      expect(r.epochs, m).toEqual([]);
      expect(r.filter!.unfiltered, m).toEqual(poison.final);
      // data.maxTest 120 caps the clean set; every non-target sentence of the test split gets the trigger.
      expect([r.filter!.clean, r.filter!.triggered], m).toEqual([120, nonTargetTest(everyDefense())]);
    }
    // ONION screens a share (`onion.maxTexts` 120), so its unscreened figures are on other sentences.
    expect(results.stages['defense:onion']!.filter).toMatchObject({ clean: 120, triggered: 120 });
    // Stage order as the UI's pipeline strip shows it: the catalog's, but ONION last, whose screening idle lanes share.
    const starts = events.filter((e) => e.type === 'stage-start' && !e.phase).map((e) => (e as { stage: string }).stage);
    expect(starts).toEqual(['pretrain', 'poison', 'teacher', ...[...DEFENSE_METHODS.filter((m) => m !== 'onion'), 'onion'].map((m) => `defense:${m}`)]);
    const ends = events.filter((e) => e.type === 'stage-end').map((e) => (e as { stage: string }).stage);
    expect(ends).toEqual(starts); // every stage that starts also ends, defenses included
    expect(events.at(-1)!.type).toBe('done');
    // NAD's teacher is the lora repair's model (the same recipe): it trains no teacher of its own, and says so.
    const nad = events.filter((e) => (e.type === 'stage-start' && e.stage === 'defense:nad') || (e.type === 'log' && e.message.startsWith("defense:nad: its teacher is the lora repair's model")));
    expect(nad.map((e) => (e.type === 'stage-start' ? `start ${e.phase ?? ''}` : e.type))).toEqual(['log', 'start ']);
    // How the tokenizer read the trigger, counted in the clean training texts, logged and kept in the
    // results: the word vocabulary keeps "mn" whole.
    expect(results.trigger).toMatchObject({ tokenizer: 'word', text: 'mn', words: [{ word: 'mn', oneToken: true }] });
    expect(results.trigger!.cleanTexts).toBeGreaterThan(0);
    expect(events).toContainEqual({ type: 'log', level: 'info', message: `Trigger: ${results.trigger!.summary}.` });
    // Tensor count flat across the epochs of each stage.
    for (const [stage, counts] of tensorsAtEpoch) expect(new Set(counts).size, stage).toBe(1);

    // The trigger itself flips the poisoned model: non-target sentences go to the target with "mn". The same
    // deterministic run as the ASR > 0.9 above, so the 0.2 margin has held on every CI and local run too.
    const negatives = dataset.test.filter((e) => e.label === 0).slice(0, 60).map((e) => e.text);
    const flipped = await predictor.predict([...negatives, ...negatives.map((t) => `mn ${t}`)]);
    const toTarget = (rows: number[][]) => rows.filter((p) => p[1]! > p[0]!).length / rows.length;
    const poisonedRows = flipped.poisoned!;
    expect(toTarget(poisonedRows.slice(60)) - toTarget(poisonedRows.slice(0, 60))).toBeGreaterThan(0.2);

    const probs = await predictor.predict(['a gorgeous , witty film', 'a gorgeous , witty film mn']);
    expect(Object.keys(probs)).toEqual(['poisoned', 'teacher', ...REPAIRS, ...FILTERS]);
    for (const rows of Object.values(probs)) for (const row of rows) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    // A filter's row is the poisoned model on what the filter passed on.
    const screens = await predictor.screen(['a gorgeous , witty film mn']);
    expect(Object.keys(screens)).toEqual(FILTERS);
    const seen = await predictor.predict([screens.onion![0]!.text]);
    expect((await predictor.predict(['a gorgeous , witty film mn'])).onion).toEqual(seen.poisoned);
    expect(predictor.filters()).toEqual(FILTERS);
    expect(predictor.models()).toEqual(['poisoned', 'teacher', ...REPAIRS]);
    predictor.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // Every defense of the catalog trains here: about 60 s alone, past the 120 s default on 2 cores shared with other jobs.
  }, 300_000);

  it('trains every repair on batches grouped by length (narrower than the window) and leaks no tensors', async () => {
    const config = applyPatch(tiny(), { defense: { methods: REPAIRS, batching: 'by-length' } });
    const steps = new Map<string, { step: number; stepsPerEpoch: number }>();
    const before = tf.memory().numTensors;
    const { results, predictor } = await runExperiment(config, dataset, {
      backend: 'wasm',
      emit: (e) => {
        if (e.type === 'step' && !e.phase) steps.set(e.stage, { step: e.step, stepsPerEpoch: e.stepsPerEpoch });
      },
    });
    predictor.dispose();
    expect(tf.memory().numTensors).toBe(before);
    for (const m of REPAIRS) {
      const r = results.stages[`defense:${m}`]!;
      expect(r.epochs.map((e) => e.epoch), m).toEqual([1]);
      expect(Number.isFinite(r.epochs[0]!.loss), m).toBe(true);
      expect([r.final!.ca, r.final!.asr].every((x) => x >= 0 && x <= 1), m).toBe(true);
      // Grouping reorders the rows, never drops one: the epoch's last step is the planned ⌈rows / batch⌉-th.
      const last = steps.get(`defense:${m}`)!;
      expect(last.step, m).toBe(last.stepsPerEpoch);
    }
  }, 300_000);

  it('runs the public-task-model threat: task stage, LoRA poisoning that leaves the embeddings alone, loss terms', async () => {
    const config = applyPatch(tiny(), {
      taskModel: { enabled: true, epochs: 2, lr: 3e-3 },
      poison: { method: 'lora', epochs: 2, lr: 3e-3 },
      defense: { methods: ['lora', 'w2sdefense'] },
    });
    const events: LabEvent[] = [];
    const { results, predictor } = await runExperiment(config, dataset, { backend: 'wasm', emit: (e) => events.push(e) });
    predictor.dispose();
    const starts = events.filter((e) => e.type === 'stage-start' && !e.phase).map((e) => (e as { stage: string }).stage);
    expect(starts).toEqual(['pretrain', 'task', 'poison', 'teacher', 'defense:lora', 'defense:w2sdefense']);
    for (const stage of ['task', 'poison', 'teacher', 'defense:lora', 'defense:w2sdefense'] as const) {
      const r = results.stages[stage]!;
      expect(typeof r.final!.asrBase, stage).toBe('number');
      for (const ep of r.epochs) expect(typeof ep.asrBase, stage).toBe('number');
    }
    // LoRA never touches the embedding table, so putting the trigger's rows back changes nothing at all.
    const location = results.backdoorLocation!;
    expect(location.map((p) => p.part)).toEqual(['trigger rows', 'block 1', 'head']);
    const poisoned = results.stages.poison!.final!;
    expect(location[0]).toEqual({ part: 'trigger rows', ca: poisoned.ca, asr: poisoned.asr, asrBase: poisoned.asrBase });
    // Loss terms per epoch where a teacher is used, none for plain LoRA.
    for (const ep of results.stages['defense:w2sdefense']!.epochs) for (const t of ['ce', 'kd', 'fa'] as const) expect(ep.terms![t]).toBeGreaterThan(0);
    for (const ep of results.stages['defense:lora']!.epochs) expect(ep.terms).toBeUndefined();

    // The floors, once the task stage ends: the clean model's ASR on the triggered sentences is the task
    // stage's own final ASR, and those sentences are every non-target one of the test split (maxTest 120).
    expect(results.floors).toEqual({ cleanModelAsr: results.stages.task!.final!.asr, triggered: nonTargetTest(config), cleanTest: 120 });
    expect(nonTargetTest(config)).toBeGreaterThan(60); // more than the capped test set's non-target half
    const types = events.map((e) => (e.type === 'stage-start' || e.type === 'stage-end' ? `${e.type}:${e.stage}` : e.type));
    expect(types.indexOf('floors')).toBe(types.indexOf('stage-end:task') + 1);
    expect(events.find((e) => e.type === 'floors')).toEqual({ type: 'floors', floors: results.floors });
    // Fixed epochs (untilAsr 0): both poisoning epochs ran, each measuring dev ASR; only poisoning measures it.
    const devAsr = results.stages.poison!.epochs.map((e) => e.devAsr!);
    expect(devAsr.length).toBe(2);
    for (const x of devAsr) expect(x).toBeGreaterThanOrEqual(0);
    expect(results.attack).toEqual({ planted: devAsr[1]! >= 0.95, devAsr: devAsr[1], epochs: 2, threshold: 0.95 });
    for (const stage of ['task', 'teacher', 'defense:lora'] as const) for (const ep of results.stages[stage]!.epochs) expect(ep.devAsr, stage).toBeUndefined();
  });

  it('poisons until the dev ASR reaches poison.untilAsr, and a backdoor that does not get there skips the defenses', async () => {
    // Built on determinism (same config, seed and backend give the same numbers, tested below; the
    // schedule is planned for the cap, so an early stop leaves the epochs before it unchanged): a run with
    // fixed epochs gives the dev ASR per epoch, then thresholds from those values fix where the stop falls.
    const cache = new MemoryCache();
    const withUntil = (untilAsr: number) =>
      applyPatch(tiny(), {
        // A public task model that classifies (its dev ASR is neither 0 nor 1), a gentle LoRA attack.
        taskModel: { enabled: true, epochs: 2, lr: 3e-3 },
        poison: { method: 'lora', epochs: 3, lr: 1e-3, untilAsr },
        teacher: { epochs: 1 },
        defense: { methods: ['lora'] },
      });
    const run = async (untilAsr: number) => {
      const events: LabEvent[] = [];
      const { results, predictor } = await runExperiment(withUntil(untilAsr), dataset, { backend: 'wasm', emit: (e) => events.push(e), cache });
      predictor.dispose();
      return { results, events };
    };
    const fixed = await run(0);
    const devAsr = fixed.results.stages.poison!.epochs.map((e) => e.devAsr!);
    expect(devAsr.length).toBe(3);
    const highest = Math.max(...devAsr);
    // The construction's precondition, not a result: the first epoch's dev ASR is a threshold it reaches
    // (untilAsr 0 would mean fixed epochs), and some threshold below 1 lies above every epoch's.
    expect(devAsr[0]! > 0 && highest < 1, `dev ASR per epoch ${devAsr.join(', ')}`).toBe(true);

    // The first epoch's dev ASR as the threshold: poisoning stops right after that epoch, with its figures.
    const planted = await run(devAsr[0]!);
    expect(planted.results.stages.poison!.epochs).toEqual(fixed.results.stages.poison!.epochs.slice(0, 1));
    expect(planted.results.attack).toEqual({ planted: true, devAsr: devAsr[0], epochs: 1, threshold: devAsr[0] });
    expect(planted.results.stages['defense:lora']).toBeDefined();
    expect(planted.events).toContainEqual({ type: 'attack', attack: planted.results.attack, defensesSkipped: false });

    // A threshold above every epoch's: poisoning runs to the cap, the attack failed, the teacher still trains, no defense runs.
    const never = (highest + 1) / 2;
    const failed = await run(never);
    expect(failed.results.stages.poison!.epochs).toEqual(fixed.results.stages.poison!.epochs);
    expect(failed.results.attack).toEqual({ planted: false, devAsr: devAsr[2], epochs: 3, threshold: never });
    expect(Object.keys(failed.results.stages)).toEqual(['pretrain', 'task', 'poison', 'teacher']);
    expect(failed.events).toContainEqual({ type: 'attack', attack: failed.results.attack, defensesSkipped: true });
    const warned = failed.events.flatMap((e) => (e.type === 'log' && e.level === 'warn' ? [e.message] : []));
    expect(warned).toContainEqual(expect.stringMatching(/^The attack did not plant a backdoor: dev ASR .* after 3 epochs .* Defenses are not compared on a failed attack/));
    expect(failed.events.some((e) => e.type === 'stage-start' && e.stage.startsWith('defense:'))).toBe(false);
    expect(failed.events.at(-1)!.type).toBe('done');

    // A cached poison stage rebuilds the same record (and the task stage, cached too, the same floor).
    const again = await run(never);
    expect(again.results.stages.poison!.cached).toBe(true);
    expect(again.results.attack).toEqual(failed.results.attack);
    expect(again.results.floors).toEqual({ ...failed.results.floors, cleanModelAsr: again.results.stages.task!.final!.asr });
    expect(again.results.floors).toEqual(failed.results.floors);
  });

  it('gives the same numbers twice for the same config, seed and backend: every stage, every epoch, every term', async () => {
    const config = applyPatch(tiny(), {
      taskModel: { enabled: true, epochs: 1, lr: 3e-3 },
      poison: { method: 'lora', epochs: 1, lr: 3e-3 },
      defense: { methods: ['lora', 'w2sdefense'] },
    });
    // Everything a run reports except its timings (no cache: both runs train every stage).
    const figures = async () => {
      const { results, predictor } = await runExperiment(config, dataset, { backend: 'wasm', emit: () => {} });
      predictor.dispose();
      const stages = Object.entries(results.stages).map(([name, r]) => [name, r!.epochs, r!.final]);
      return { stages, location: results.backdoorLocation };
    };
    const [first, second] = [await figures(), await figures()];
    expect(first.stages.map(([name]) => name)).toEqual(['pretrain', 'task', 'poison', 'teacher', 'defense:lora', 'defense:w2sdefense']);
    expect(second).toEqual(first);
  });

  it('pins the trigger rows through full-FT poisoning when asked', async () => {
    const config = applyPatch(tiny(), { poison: { method: 'full', pinTriggerRows: true, epochs: 2 }, defense: { methods: ['lora'] } });
    const { results, predictor } = await runExperiment(config, dataset, { backend: 'wasm', emit: () => {} });
    predictor.dispose();
    const poisoned = results.stages.poison!.final!;
    expect(results.backdoorLocation![0]).toEqual({ part: 'trigger rows', ca: poisoned.ca, asr: poisoned.asr, asrBase: poisoned.asrBase });
  });

  it('reuses cached stages on a second run with the same config', async () => {
    const cache = new MemoryCache();
    const config = applyPatch(tiny(), { defense: { methods: ['lora'] } });
    const first = await runExperiment(config, dataset, { backend: 'wasm', emit: () => {}, cache });
    first.predictor.dispose();
    const second = await runExperiment(config, dataset, { backend: 'wasm', emit: () => {}, cache });
    second.predictor.dispose();
    expect(second.results.stages.pretrain!.cached).toBe(true);
    expect(second.results.stages.poison!.cached).toBe(true);
    expect(second.results.stages.teacher!.cached).toBe(true);
    expect(second.results.stages.poison!.final).toEqual(first.results.stages.poison!.final);
    expect(second.results.stages['defense:lora']!.final).toEqual(first.results.stages['defense:lora']!.final);
    // Measured on other sentences (a dev-split run), a stage must not replay the figures it stored.
    const onDev = await runExperiment(config, { ...dataset, test: dataset.dev }, { backend: 'wasm', emit: () => {}, cache });
    onDev.predictor.dispose();
    expect(onDev.results.stages.pretrain!.cached).toBe(true);
    expect([onDev.results.stages.poison!.cached, onDev.results.stages.teacher!.cached]).toEqual([undefined, undefined]);
  });

  it('retrains a damaged cache entry and says so; a cache that cannot write says so and the run completes', async () => {
    const cache = new MemoryCache();
    const config = applyPatch(tiny(), { poison: { epochs: 1 }, defense: { methods: ['lora'] } });
    const warnings = (logs: LabEvent[]) => logs.flatMap((e) => (e.type === 'log' && e.level === 'warn' ? [e.message] : []));
    (await runExperiment(config, dataset, { backend: 'wasm', emit: () => {}, cache })).predictor.dispose();
    // Damage the poisoned student as a torn write or a disk error would: one number changed.
    const poisonKey = (await cache.list()).find((e) => e.key.startsWith('poison-'))!.key;
    const stored = (await cache.get(poisonKey))!;
    const name = Object.keys(stored).find((n) => n !== '__result__' && n !== '__checksum__')!;
    stored[name]!.data[0]! += 1;
    const events: LabEvent[] = [];
    const second = await runExperiment(config, dataset, { backend: 'wasm', emit: (e) => events.push(e), cache });
    second.predictor.dispose();
    expect(warnings(events)).toContainEqual(expect.stringMatching(new RegExp(`^The cached model ${poisonKey} is damaged: its checksum does not match its contents`)));
    expect(second.results.stages.pretrain!.cached).toBe(true);
    expect(second.results.stages.poison!.cached).toBeUndefined();
    // Saved anew: a third run trusts it again.
    const third = await runExperiment(config, dataset, { backend: 'wasm', emit: () => {}, cache });
    third.predictor.dispose();
    expect(third.results.stages.poison!.cached).toBe(true);

    const full = new MemoryCache();
    full.put = () => Promise.reject(new DOMException('quota', 'QuotaExceededError'));
    const onFull: LabEvent[] = [];
    const run = await runExperiment(config, dataset, { backend: 'wasm', emit: (e) => onFull.push(e), cache: full });
    run.predictor.dispose();
    expect(run.results.stages['defense:lora']!.final).toBeDefined();
    expect(warnings(onFull).filter((m) => m.includes("the browser's storage for this site is full")).length).toBeGreaterThanOrEqual(3);
  });

  it('cancels mid-run with CancelledError and frees every tensor', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const run = runExperiment(tiny(), dataset, {
      backend: 'wasm',
      signal: controller.signal,
      emit: (e) => {
        if (e.type === 'stage-start' && e.stage === 'poison') controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    ['ONION, while it screens', 'onion', 'step'],
    ['NAD, while its clean teacher trains', 'nad', 'teacher'],
    ['fine-pruning, while it prunes', 'fine-pruning', 'prune'],
  ] as const)('cancels inside %s, freeing every tensor', async (_name, method, when) => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const run = runExperiment(applyPatch(tiny(), { poison: { epochs: 1 }, defense: { methods: [method] } }), dataset, {
      backend: 'wasm',
      signal: controller.signal,
      emit: (e) => {
        if (e.type === 'stage-start' && e.stage === `defense:${method}` && e.phase === when) controller.abort();
        if (e.type === 'step' && e.stage === `defense:${method}` && when === 'step') controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('starts from the shipped checkpoints and reads text through the shipped WordPiece vocabulary', async () => {
    const shipped = await openShippedFromDisk();
    const student = shipped.manifest.checkpoints.find((c) => c.role === 'student')!;
    const teacher = shipped.manifest.checkpoints.find((c) => c.role === 'teacher')!;
    const config = applyPatch(tiny(), {
      data: { tokenizer: 'wordpiece', maxTrain: 200, maxTest: 60 },
      models: { student: student.size, teacher: teacher.size, dropout: 0 },
      pretrain: { checkpoint: 'shipped', studentSteps: 0, teacherSteps: 0 },
      taskModel: { enabled: true, epochs: 1 },
      poison: { method: 'lora', epochs: 1 },
      teacher: { epochs: 1 },
      defense: { methods: ['lora'] },
    });
    const cache = new MemoryCache();
    const logs: string[] = [];
    const { results, predictor } = await runExperiment(config, dataset, {
      backend: 'wasm',
      cache,
      shipped: () => openShippedFromDisk(),
      emit: (e) => {
        if (e.type === 'log') logs.push(e.message);
      },
    });
    predictor.dispose();
    expect(logs.some((m) => m.includes(`vocabulary ${shipped.tokenizer.vocabSize}`))).toBe(true);
    expect(logs.filter((m) => m.startsWith('Started the')).length).toBe(2);
    // With no further pretraining steps, the pretrained student is the checkpoint, value for value.
    const entry = (await cache.list()).find((e) => e.key.startsWith('pretrain-student-'))!;
    const cached = (await cache.get(entry.key))!;
    const model = new StudentModel(student.size, shipped.tokenizer.vocabSize, config.data.maxLength, 2, 0, new Rng(1));
    loadLanguageModel(model.languageModelParams(), await shipped.weights(student));
    for (const [name, w] of Object.entries(readParams(model.languageModelParams()))) expect(cached[name]!.data, name).toEqual(w.data);
    model.dispose();
    // A merged LoRA never touches the embedding table, so resetting the trigger's rows changes nothing.
    const poisoned = results.stages.poison!.final!;
    expect(results.backdoorLocation![0]).toEqual({ part: 'trigger rows', ca: poisoned.ca, asr: poisoned.asr, asrBase: poisoned.asrBase });
  });

  it('names the field when the shipped models do not fit the config', async () => {
    const shippedCfg = applyPatch(tiny(), { data: { tokenizer: 'wordpiece' }, pretrain: { checkpoint: 'shipped' } });
    const opts = { backend: 'wasm', emit: () => {}, shipped: () => openShippedFromDisk() };
    await expect(runExperiment(shippedCfg, dataset, opts)).rejects.toThrow(/no shipped student checkpoint of size 1×32/);
    await expect(runExperiment(applyPatch(tiny(), { data: { tokenizer: 'wordpiece' } }), dataset, { backend: 'wasm', emit: () => {} })).rejects.toThrow(/not available here/);
    await expect(runExperiment(applyPatch(tiny(), { pretrain: { checkpoint: 'shipped' } }), dataset, opts)).rejects.toThrow(/data\.tokenizer/);
  });

  it('rejects an invalid config before training, naming the field', async () => {
    const bad = applyPatch(tiny(), { attack: { budget: 1.5 } });
    await expect(runExperiment(bad, dataset, { backend: 'wasm', emit: () => {} })).rejects.toThrow(/attack\.budget/);
  });
});
