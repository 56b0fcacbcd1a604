/**
 * runExperiment: the whole W2SDefense pipeline, emitting typed events.
 *
 *   pretrain (student MLM) → task (the public task model: clean full fine-tuning, when enabled) →
 *   poison (the attacker's LoRA on poisoned data, merged — or full fine-tuning) → teacher (MLM, then full
 *   fine-tuning on clean data) → defense:<id> (each defense of `defense.methods` on the poisoned student:
 *   a repair makes a new model, a filter screens inputs in front of it; see defenses/ — side by side in
 *   the lanes the edge offers, see defense-lanes.ts)
 *
 * Poisoning stops once the dev ASR reaches `poison.untilAsr`; a backdoor that does not get there is a failed
 * attack, and its run trains the teacher but compares no defenses (see attacks/planted.ts). After poisoning,
 * the poisoned model is probed for where its backdoor lives (`backdoorLocation`).
 *
 * Models that took long to make (pretrained student, public task model, poisoned student, teacher) go through the
 * `ModelCache`, keyed by everything that produced them, so a second run skips them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type ExperimentConfig } from './config';
import { validateConfig } from './config-checks';
import type { Dataset } from './data/types';
import type { Emit, RunResults, StageName, StageResult } from './events';
import { CheckedCache, type ModelCache } from './cache';
import { Rng } from './rng';
import { stageKeys } from './stage-keys';
import { validateDataset } from './data/validate';
import { dataRecord } from './data/record';
import type { PublishedModels } from './models/published';
import type { ShippedModels } from './models/checkpoint';
import { attackRecord, notPlantedMessage, reachedUntilAsr, skipsDefenses } from './attacks/planted';
import type { StudentModel } from './models/student';
import type { TeacherModel } from './models/teacher';
import { stepsPerEpoch } from './train/batches';
import { CancelledError, type StageContext } from './train/context';
import { evaluate } from './train/evaluate';
import { classificationStage } from './train/classification-stage';
import { pretrainMlm, type PretrainSpec } from './train/pretrain';
import type { InputFilter } from './defenses/input-filter';
import { sharesScreening } from './defenses/registry';
import { DefenseRunner, lazyPretrainedLm, PRETRAIN_SEED } from './defense-runner';
import { newStudentFor, newTeacherFor } from './run-models';
import { runDefenses, type LaneFactory } from './defense-lanes';
import { startEarlyScreening } from './early-screening';
import { probeBackdoorLocation, studentParts } from './metrics/backdoor-location';
import { PinnedRows } from './models/pinned-rows';
import { disposeData, prepareData, type PreparedData } from './prepared-data';
import { openShippedFor, shippedEntry, startFromCheckpoint, usesShipped } from './shipped-start';
import { openPublishedFor, runOrReplay, type Weighted } from './stage-replay';
import { makePredictor, type Predictor } from './predictor';
import { emitLog } from './emit-log';
import { missingEngineKernels } from './kernels/register';
import { defenseStage, pretrainPlan } from './stages';
import { errorMessage } from './error-message';

export { CancelledError } from './train/context';
export { splitStoredStage } from './stage-replay';
export type { Predictor } from './predictor';

export interface RunOptions {
  emit: Emit;
  /** Aborting ends the run at the next step with a `CancelledError`; tensors are freed. */
  signal?: AbortSignal;
  cache?: ModelCache;
  /** Name of the tfjs backend in use, recorded in the results. */
  backend: string;
  /**
   * Extra unlabelled text for pretraining (`pretrain.extraCorpus`), loaded by the edge: the CLI reads
   * the npm-shipped corpus, the browser fetches its bundled copy.
   */
  extraCorpus?: string[];
  /**
   * The shipped vocabulary and checkpoints (public/checkpoints), opened by the edge: the CLI reads the
   * files, the browser fetches them. Called only when the config asks for them.
   */
  shipped?: () => Promise<ShippedModels>;
  /**
   * The attacker's published models (see models/published.ts), opened by the edge beside the shipped
   * checkpoints; a stage whose cache key they hold loads instead of training. Null: none are published.
   */
  published?: () => Promise<PublishedModels | null>;
  /** Second engines for the defenses (see defense-lanes.ts); without them the defenses run one after another here. */
  lanes?: LaneFactory;
}

export interface RunOutput {
  results: RunResults;
  predictor: Predictor;
}


export async function runExperiment(config: ExperimentConfig, dataset: Dataset, opts: RunOptions): Promise<RunOutput> {
  const cfg = validateConfig(config, dataset.labelNames.length);
  const missing = missingEngineKernels(tf.getBackend());
  if (missing.length > 0) throw new Error(`the engine's kernels are not registered for ${tf.getBackend()} (${missing.join(', ')}): call registerEngineKernels() where the backend is chosen`);
  const checked = validateDataset(dataset);
  const ctx: StageContext = { emit: opts.emit, ...(opts.signal ? { signal: opts.signal } : {}) };
  const results: RunResults = { backend: opts.backend, config: cfg, stages: {}, data: await dataRecord(checked) };
  // What the loader noticed (labels mapped from names, a tiny file, texts cut) is said before anything trains.
  for (const notice of checked.notices ?? []) opts.emit({ type: 'log', level: 'warn', message: `Data: ${notice}.` });
  const owned: { dispose(): void }[] = [];
  const models = new Map<string, StudentModel | TeacherModel>();
  let data: PreparedData | undefined;
  try {
    const shipped = usesShipped(cfg) ? await openShippedFor(cfg, opts.shipped) : undefined;
    data = prepareData(cfg, dataset, opts, shipped?.tokenizer);
    const prepared = data;
    results.trigger = data.trigger;
    const rng = new Rng(cfg.seed);
    const { numLabels } = data;
    const vocabSize = data.tokenizer.vocabSize;
    const T = cfg.data.maxLength;
    /** A student of the config's size, initialised from `stream` (weights are usually set next). */
    const newStudent = (stream: Rng) => newStudentFor(cfg, vocabSize, numLabels, stream);
    // Sealed and checked: a damaged or unwritable cache costs a retrain and a sentence, never the run.
    const cache = opts.cache && new CheckedCache(opts.cache, (message) => ctx.emit({ type: 'log', level: 'warn', message }));
    const published = await openPublishedFor(opts.published, ctx);
    /** Where a stage's model may already exist: the user's cache first, then the attacker's published models. */
    const cachedStage = (stage: StageName, key: string, model: Weighted, train: () => Promise<StageResult>) => runOrReplay(stage, ctx, cache, published, key, model, train);
    /** The MLM settings both language models share; they differ in stage, step count and random stream. */
    const pretrainSpec = (stage: StageName, phase: string | undefined, steps: number, stream: Rng): PretrainSpec => ({
      stage,
      ...(phase ? { phase } : {}),
      pool: prepared.pretrainPool,
      maxLength: T,
      vocabSize,
      steps,
      lr: cfg.pretrain.lr,
      batchSize: cfg.pretrain.batchSize,
      maskRate: cfg.pretrain.maskRate,
      rng: stream,
      ctx,
    });

    // ---- pretrain: the student's language model -------------------------------------------------
    const pretrainRng = new Rng(PRETRAIN_SEED);
    const student = newStudent(pretrainRng.fork('student-init'));
    owned.push(student);
    const studentCheckpoint = shipped ? shippedEntry(shipped, 'student', cfg) : null;
    const teacherCheckpoint = shipped ? shippedEntry(shipped, 'teacher', cfg) : null;
    const keys = stageKeys(cfg, data, { student: studentCheckpoint?.sha256 ?? null, teacher: teacherCheckpoint?.sha256 ?? null });
    results.stages.pretrain = await cachedStage('pretrain', keys.pretrain, student, async () => {
      ctx.emit({ type: 'stage-start', stage: 'pretrain', ...pretrainPlan(cfg.pretrain.studentSteps) });
      if (shipped && studentCheckpoint) await startFromCheckpoint(student, shipped, studentCheckpoint, opts.emit);
      if (cfg.pretrain.studentSteps === 0) return { epochs: [], final: null, seconds: 0, samplesPerSecond: 0 };
      const out = await pretrainMlm(student, pretrainSpec('pretrain', undefined, cfg.pretrain.studentSteps, pretrainRng.fork('pretrain-student')));
      return { epochs: out.epochs, final: null, seconds: out.seconds, samplesPerSecond: out.samplesPerSecond };
    });

    // The clean pretrained language model, before the task model and the attack, for a defense that
    // asks for it (ONION's LM). A host copy of a few megabytes; the model is only built on request.
    const pretrainedWeights = await student.readWeights();
    // Lanes screen ahead for a filter that shares its screening while the stages below train on this core.
    const early = startEarlyScreening(cfg, prepared, rng, opts.lanes, { config: cfg, dataset, pretrainedLm: pretrainedWeights }, opts.emit);
    if (early) owned.push({ dispose: () => early.screening.finish() });

    // ---- task: the public task model, fully fine-tuned on the clean training set ------------------
    if (keys.task) {
      results.stages.task = await cachedStage('task', keys.task, student, async () => {
        student.resetHead(numLabels, rng.fork('task-head'));
        return classificationStage({ stage: 'task', optim: cfg.taskModel, variables: student.classifierVariables(), model: student, train: prepared.cleanTrain, evalSets: prepared.eval, cfg, ctx, rng: rng.fork('task-fit') });
      });
    }
    const beforePoison = await student.readWeights();
    // The floors every ASR is read against. The clean public task model's ASR on the triggered sentences is
    // the task stage's own final ASR: measured on exactly `eval.poisonedTest`, after the last epoch, whose
    // model is the one handed on — so a cached task stage gives it too, without evaluating again.
    results.floors = { cleanModelAsr: results.stages.task?.final?.asr ?? null, triggered: data.texts.poisonedTest.length, cleanTest: data.texts.test.length };
    opts.emit({ type: 'floors', floors: results.floors });

    // ---- poison: the attacker plants the backdoor through LoRA (or full fine-tuning) -------------
    results.stages.poison = await cachedStage('poison', keys.poison, student, async () => {
      // A public task model keeps its fitted head; a pretrained LM gets a fresh one.
      if (!cfg.taskModel.enabled) student.resetHead(numLabels, rng.fork('poison-head'));
      if (cfg.poison.method === 'lora') student.attachLora(cfg.poison.lora, rng.fork('poison-lora'));
      const variables = cfg.poison.method === 'lora' ? [...student.loraVariables(), ...student.headVariables()] : student.classifierVariables();
      // Trigger rows held fixed: by the sparse update itself, or restored after each dense step.
      const pin = cfg.poison.method === 'full' && cfg.poison.pinTriggerRows;
      const pinned = pin && cfg.poison.embeddingUpdate === 'dense' ? new PinnedRows(student.encoder.tokenEmbedding, prepared.triggerIds) : null;
      try {
        const result = await classificationStage({
          stage: 'poison', optim: cfg.poison, variables, model: student, train: prepared.poisonedTrain, cfg, ctx, rng: rng.fork('poison-fit'),
          // Test is measured per epoch as for every stage; the stop looks at dev only.
          evalSets: { ...prepared.eval, ...(prepared.poisonedDev.size > 0 ? { poisonedDev: prepared.poisonedDev } : {}) },
          stopAfterEpoch: (record) => reachedUntilAsr(record, cfg.poison.untilAsr, cfg.poison.minEpochs),
          ...(pinned ? { afterStep: () => pinned.restore() } : {}),
          ...(pin && !pinned ? { frozenRows: prepared.triggerIds } : {}),
        });
        if (cfg.poison.method === 'lora') student.mergeLora();
        return result;
      } finally {
        pinned?.dispose();
      }
    });
    const poisonedWeights = await student.readWeights();
    models.set('poisoned', student);
    // Rebuilt from the stage's epochs, so a cached poison stage reports the same record.
    const attack = attackRecord(results.stages.poison.epochs, cfg.poison.untilAsr);
    results.attack = attack;
    const defensesSkipped = skipsDefenses(attack, cfg.poison.untilAsr);
    opts.emit({ type: 'attack', attack, defensesSkipped });
    if (attack.planted) emitLog(opts.emit, `The attack planted its backdoor: dev ASR ${pct(attack.devAsr)} after ${attack.epochs} epoch(s) (needs ${pct(attack.threshold)}).`);
    else opts.emit({ type: 'log', level: 'warn', message: notPlantedMessage(attack, defensesSkipped) });

    // ---- where the backdoor lives: the poisoned model with each part put back in turn -----------
    const scratch = newStudent(rng.fork('probe-init'));
    try {
      const parts = studentParts(Object.keys(poisonedWeights), data.triggerIds, cfg.models.student.layers, cfg.taskModel.enabled);
      // The probe reports CA, ASR and its floor: the dev set's accuracy would be a quarter more passes for nothing.
      const { dev: _unused, ...testSets } = prepared.eval;
      results.backdoorLocation = await probeBackdoorLocation(poisonedWeights, beforePoison, parts, async (w) => {
        scratch.setWeights(w);
        return evaluate(scratch, testSets, cfg.attack.targetLabel);
      });
      for (const p of results.backdoorLocation) emitLog(opts.emit, `Poisoned model with its ${p.part} reset: CA ${pct(p.ca)}, ASR ${pct(p.asr)} (floor ${pct(p.asrBase)}).`);
    } finally {
      scratch.dispose();
    }

    // ---- teacher: a small LM of its own, then full-parameter fine-tuning on clean data -----------
    const teacher = newTeacherFor(cfg, vocabSize, numLabels, pretrainRng.fork('teacher-init'));
    owned.push(teacher);
    results.stages.teacher = await cachedStage('teacher', keys.teacher, teacher, async () => {
      const perEpoch = stepsPerEpoch(prepared.defenderClean.size, cfg.teacher.batchSize);
      ctx.emit({ type: 'stage-start', stage: 'teacher', epochs: cfg.teacher.epochs, stepsPerEpoch: perEpoch });
      const pretrained = cache ? await cache.get(keys.teacherPretrain) : undefined;
      if (pretrained) teacher.setWeights(pretrained);
      else {
        if (shipped && teacherCheckpoint) await startFromCheckpoint(teacher, shipped, teacherCheckpoint, opts.emit);
        if (cfg.pretrain.teacherSteps > 0) {
          ctx.emit({ type: 'stage-start', stage: 'teacher', phase: 'pretrain', ...pretrainPlan(cfg.pretrain.teacherSteps) });
          await pretrainMlm(teacher, pretrainSpec('teacher', 'pretrain', cfg.pretrain.teacherSteps, pretrainRng.fork('pretrain-teacher')));
        }
        if (cfg.pretrain.teacherSteps > 0 || teacherCheckpoint) await cache?.put(keys.teacherPretrain, await teacher.readWeights());
      }
      return classificationStage({ stage: 'teacher', optim: cfg.teacher, variables: teacher.classifierVariables(), model: teacher, train: prepared.defenderClean, evalSets: prepared.eval, cfg, ctx, rng: rng.fork('teacher-fit'), announce: false });
    });
    models.set('teacher', teacher);

    // ---- defenses: each on the poisoned student, with the defender's clean data -----------------
    // ONION's LM is made once, on first use, from the clean pretrained weights.
    const runner = new DefenseRunner({
      cfg,
      data: prepared,
      ctx,
      rng,
      poisoned: student,
      poisonedWeights,
      teacher,
      newStudent,
      pretrainedLm: lazyPretrainedLm(pretrainedWeights, () => newStudent(pretrainRng.fork('onion-lm')), (lm) => owned.push(lm)),
    });
    owned.push(runner);
    // A failed attack (with `poison.untilAsr` set) gets no defenses: removing a backdoor that is not there says nothing.
    const methods = defensesSkipped ? [] : cfg.defense.methods;
    const prescreened = early?.screening.finish();
    const outcomes = await runDefenses({
      methods,
      here: (method, signal, helpers) => runner.run(method, signal, helpers, method === early?.method ? prescreened : undefined),
      ...(opts.lanes ? { lanes: opts.lanes } : {}),
      setup: async () => ({
        config: cfg,
        dataset,
        models: { poisoned: poisonedWeights, teacher: await teacher.readWeights() },
        ...(methods.some(sharesScreening) ? { pretrainedLm: pretrainedWeights } : {}),
      }),
      adopt: (method, weights) => {
        const model = newStudent(rng.fork(`${defenseStage(method)}-lane`));
        model.setWeights(weights);
        return model;
      },
      emit: opts.emit,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const filters = new Map<string, InputFilter>();
    // Filed in the config's order, whichever engine finished first.
    for (const method of methods) {
      const outcome = outcomes.get(method)!;
      results.stages[defenseStage(method)] = outcome.result;
      if (outcome.kind === 'repair') {
        owned.push(outcome.model);
        models.set(method, outcome.model);
      } else filters.set(method, outcome.filter);
    }

    opts.emit({ type: 'done', results });
    const predictor = makePredictor(models, filters, data.tokenizer, T, { examples: data.texts.test, numLabels }, () => {
      owned.forEach((o) => o.dispose());
      if (data) disposeData(data);
    });
    return { results, predictor };
  } catch (error) {
    owned.forEach((o) => o.dispose());
    if (data) disposeData(data);
    if (error instanceof CancelledError) opts.emit({ type: 'log', level: 'warn', message: 'Run cancelled; all tensors freed.' });
    else opts.emit({ type: 'error', message: errorMessage(error) });
    throw error;
  }
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}
