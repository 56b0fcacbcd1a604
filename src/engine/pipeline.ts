/**
 * runExperiment: the whole W2SDefense pipeline, emitting typed events.
 *
 *   pretrain (student MLM) → task (the public task model: clean full fine-tuning, when enabled) →
 *   poison (the attacker's LoRA on poisoned data, merged — or full fine-tuning) → teacher (MLM, then full
 *   fine-tuning on clean data) → defense:<id> (each defense of `defense.methods` on the poisoned student:
 *   a repair makes a new model, a filter screens inputs in front of it; see defenses/)
 *
 * Poisoning stops once the dev ASR reaches `poison.untilAsr`; a backdoor that does not get there is a failed
 * attack, and its run trains the teacher but compares no defenses (see attacks/planted.ts). After poisoning,
 * the poisoned model is probed for where its backdoor lives (`backdoorLocation`).
 *
 * Models that took long to make (pretrained student, public task model, poisoned student, teacher) go through the
 * `ModelCache`, keyed by everything that produced them, so a second run skips them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, DEFAULT_TRIGGERS, validateConfig, type ExperimentConfig } from './config';
import type { Dataset, Example } from './data/types';
import type { Emit, RunResults, StageName, StageResult } from './events';
import { CheckedCache, type ModelCache, type SavedWeights } from './cache';
import { Rng } from './rng';
import { cacheKey, hashString } from './hash';
import { validateDataset } from './data/validate';
import { dataRecord } from './data/record';
import { stratifiedSubset } from './data/build';
import { Tokenizer, tokenize, type TextTokenizer } from './data/tokenizer';
import { clipExamples } from './data/window';
import type { PublishedModels } from './models/published';
import { CheckpointError, describeSize, loadLanguageModel, type CheckpointEntry, type ShippedModels } from './models/checkpoint';
import { ATTACKS } from './attacks/registry';
import { describeTrigger, type TriggerReport } from './attacks/trigger-tokens';
import { unlabelledSentences } from './data/corpus';
import { poisonTrainingSet, poisonedTestSet } from './attacks/poison';
import { attackRecord, notPlantedMessage, reachedUntilAsr, skipsDefenses } from './attacks/planted';
import { StudentModel } from './models/student';
import { TeacherModel } from './models/teacher';
import { disposeSet, encodeSet, stepsPerEpoch, type EncodedSet } from './train/batches';
import { CancelledError, type StageContext } from './train/context';
import { evaluate, inferAll, predictProbabilities, type EvalSets } from './train/evaluate';
import { classificationStage } from './train/classification-stage';
import { pretrainMlm, type PretrainSpec } from './train/pretrain';
import type { TeacherTargets } from './train/defense-loss';
import type { InputFilter, Screened } from './defenses/input-filter';
import type { DefenseContext } from './defenses/procedure';
import { PROCEDURES } from './defenses/registry';
import { leaveOneOut } from './metrics/attribution';
import { pooledFeatures } from './metrics/features';
import { probeBackdoorLocation, studentParts } from './metrics/backdoor-location';
import { PinnedRows } from './models/pinned-rows';
import { CLS, MASK, PAD, SEP, UNK } from './data/tokenizer';

export { CancelledError } from './train/context';

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
}

/** Class probabilities of every trained model for some texts: model name → one row per text. */
export interface Predictor {
  /** `teacher`, `poisoned`, then each repair that ran (a model of its own). */
  models(): string[];
  /** Each filter that ran (screening inputs in front of the poisoned model). */
  filters(): string[];
  /**
   * Per model and per filter, one probability row per text. A filter's row is the poisoned model's on
   * the screened text (ONION's cleaned input; STRIP's input as it is, rejected or not).
   */
  predict(texts: string[]): Promise<Record<string, number[][]>>;
  /** What each filter made of each text: filter → one verdict per text. */
  screen(texts: string[]): Promise<Record<string, Screened[]>>;
  /** Leave-one-out attribution of each token of `text` for `model` (one of `models()`). */
  attributions(text: string, model: string): Promise<{ tokens: string[]; scores: number[] }>;
  /** A few clean test sentences (clipped as the run saw them) to try, with their true labels. */
  samples(): Example[];
  /** Pooled features of `model` for `texts`: [texts.length, dim] row-major. */
  features(texts: string[], model: string): Promise<{ data: Float32Array; dim: number }>;
  dispose(): void;
}

/** Test sentences the predictor offers to try. */
const TRY_SAMPLES = 40;

export interface RunOutput {
  results: RunResults;
  predictor: Predictor;
}

/**
 * Classic BadNet rare words (Kurita et al.) kept in every vocabulary, so that the common triggers do
 * not change the vocabulary — and a sweep over them can reuse the pretrained student.
 */
const RARE_TRIGGER_WORDS = ['mn', 'cf', 'bb', 'tq', 'mb'];

/** The default triggers' words are always in the vocabulary too, so BadNet and InSent runs share it. */
const ALWAYS_IN_VOCABULARY = [...RARE_TRIGGER_WORDS, ...tokenize(DEFAULT_TRIGGERS.insent)];

/**
 * Pretrained language models are public checkpoints, not part of an experiment's randomness: the
 * paper's seeds vary poisoning and fine-tuning on one pretrained LLaMA. So pretraining (init and MLM)
 * uses this fixed seed and its cache key leaves the run's seed out — every seed and attack of a
 * dataset reuses one pretrained student and teacher.
 */
const PRETRAIN_SEED = 20250101;

/** Everything about the data a run uses, prepared once. */
export interface PreparedData {
  tokenizer: TextTokenizer;
  numLabels: number;
  /** The clean training set (the public task model's), the attacker's (poisoned) and the defender's share. */
  cleanTrain: EncodedSet;
  poisonedTrain: EncodedSet;
  defenderClean: EncodedSet;
  /** Ids of the trigger's own tokens (special tokens and [UNK] excluded): the rows a backdoor can hide in. */
  triggerIds: number[];
  /** How the tokenizer reads the trigger, with each piece's count in the clean training texts. */
  trigger: TriggerReport;
  eval: EvalSets & { dev: EncodedSet };
  /** The triggered non-target dev sentences: only poisoning measures them (`poison.untilAsr`), see `EvalSets.poisonedDev`. */
  poisonedDev: EncodedSet;
  pretrainPool: Int32Array;
  fingerprint: string;
  /**
   * The sets a stage is measured on. A cached stage replays the metrics it stored, so its key must name
   * them: a model trained during a dev-split run must not report its dev figures in a test-split run.
   */
  evalFingerprint: string;
  /** Tokens left for the text beside the trigger. */
  room: number;
  /** The examples behind the encoded sets (clipped as the models see them), for the input filters and the try-it box. */
  texts: { test: Example[]; poisonedTest: Example[]; baseTest: Example[]; dev: Example[]; defender: Example[] };
}

export async function runExperiment(config: ExperimentConfig, dataset: Dataset, opts: RunOptions): Promise<RunOutput> {
  const cfg = validateConfig(config, dataset.labelNames.length);
  const checked = validateDataset(dataset);
  const ctx: StageContext = { emit: opts.emit, ...(opts.signal ? { signal: opts.signal } : {}) };
  const results: RunResults = { backend: opts.backend, config: cfg, stages: {}, data: await dataRecord(checked) };
  // What the loader noticed (labels mapped from names, a tiny file, texts cut) is said before anything trains.
  for (const notice of checked.notices ?? []) opts.emit({ type: 'log', level: 'warn', message: `Data: ${notice}.` });
  const owned: { dispose(): void }[] = [];
  const models = new Map<string, StudentModel | TeacherModel>();
  let data: PreparedData | undefined;
  try {
    const shipped = usesShipped(cfg) ? await openShippedFor(cfg, opts) : undefined;
    data = prepareData(cfg, dataset, opts, shipped?.tokenizer);
    const prepared = data;
    results.trigger = data.trigger;
    const rng = new Rng(cfg.seed);
    const { numLabels } = data;
    const vocabSize = data.tokenizer.vocabSize;
    const T = cfg.data.maxLength;
    // Sealed and checked: a damaged or unwritable cache costs a retrain and a sentence, never the run.
    const cache = opts.cache && new CheckedCache(opts.cache, (message) => ctx.emit({ type: 'log', level: 'warn', message }));
    const published = await openPublishedFor(opts, ctx);
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
    const student = new StudentModel(cfg.models.student, vocabSize, T, numLabels, cfg.models.dropout, pretrainRng.fork('student-init'));
    owned.push(student);
    const studentCheckpoint = shipped ? shippedEntry(shipped, 'student', cfg) : null;
    const pretrainKey = cacheKey('pretrain-student', data.fingerprint, cfg.models.student, cfg.pretrain, studentCheckpoint?.sha256 ?? null);
    results.stages.pretrain = await cachedStage('pretrain', pretrainKey, student, async () => {
      ctx.emit({ type: 'stage-start', stage: 'pretrain', epochs: Math.min(5, cfg.pretrain.studentSteps), stepsPerEpoch: Math.ceil(cfg.pretrain.studentSteps / 5) });
      if (shipped && studentCheckpoint) await startFromCheckpoint(student, shipped, studentCheckpoint, opts.emit);
      if (cfg.pretrain.studentSteps === 0) return { epochs: [], final: null, seconds: 0, samplesPerSecond: 0 };
      const out = await pretrainMlm(student, pretrainSpec('pretrain', undefined, cfg.pretrain.studentSteps, pretrainRng.fork('pretrain-student')));
      return { epochs: out.epochs, final: null, seconds: out.seconds, samplesPerSecond: out.samplesPerSecond };
    });

    // The clean pretrained language model, before the task model and the attack, for a defense that
    // asks for it (ONION's LM). A host copy of a few megabytes; the model is only built on request.
    const pretrainedWeights = await student.readWeights();

    // ---- task: the public task model, fully fine-tuned on the clean training set ------------------
    let beforePoisonKey = pretrainKey;
    if (cfg.taskModel.enabled) {
      beforePoisonKey = cacheKey('task', pretrainKey, cfg.taskModel, cfg.data, cfg.seed, data.room, data.evalFingerprint);
      results.stages.task = await cachedStage('task', beforePoisonKey, student, async () => {
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
    const poisonKey = cacheKey('poison', beforePoisonKey, cfg.attack, cfg.poison, cfg.data, cfg.seed, data.evalFingerprint);
    results.stages.poison = await cachedStage('poison', poisonKey, student, async () => {
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
    const scratch = new StudentModel(cfg.models.student, vocabSize, T, numLabels, cfg.models.dropout, rng.fork('probe-init'));
    try {
      const parts = studentParts(Object.keys(poisonedWeights), data.triggerIds, cfg.models.student.layers, cfg.taskModel.enabled);
      results.backdoorLocation = await probeBackdoorLocation(poisonedWeights, beforePoison, parts, async (w) => {
        scratch.setWeights(w);
        return evaluate(scratch, prepared.eval, cfg.attack.targetLabel);
      });
      for (const p of results.backdoorLocation) emitLog(opts.emit, `Poisoned model with its ${p.part} reset: CA ${pct(p.ca)}, ASR ${pct(p.asr)} (floor ${pct(p.asrBase)}).`);
    } finally {
      scratch.dispose();
    }

    // ---- teacher: a small LM of its own, then full-parameter fine-tuning on clean data -----------
    const teacher = new TeacherModel(cfg.models.teacher, vocabSize, T, numLabels, cfg.models.student.dModel, cfg.models.dropout, pretrainRng.fork('teacher-init'));
    owned.push(teacher);
    const teacherCheckpoint = shipped ? shippedEntry(shipped, 'teacher', cfg) : null;
    const teacherPretrainKey = cacheKey('pretrain-teacher', data.fingerprint, cfg.models, cfg.pretrain, teacherCheckpoint?.sha256 ?? null);
    // The defender's texts are clipped with room for the trigger, so the trigger's length is part of the key.
    const teacherKey = cacheKey('teacher', teacherPretrainKey, cfg.teacher, cfg.data, cfg.seed, data.room, data.evalFingerprint);
    results.stages.teacher = await cachedStage('teacher', teacherKey, teacher, async () => {
      const perEpoch = stepsPerEpoch(prepared.defenderClean.size, cfg.teacher.batchSize);
      ctx.emit({ type: 'stage-start', stage: 'teacher', epochs: cfg.teacher.epochs, stepsPerEpoch: perEpoch });
      const pretrained = cache ? await cache.get(teacherPretrainKey) : undefined;
      if (pretrained) teacher.setWeights(pretrained);
      else {
        if (shipped && teacherCheckpoint) await startFromCheckpoint(teacher, shipped, teacherCheckpoint, opts.emit);
        if (cfg.pretrain.teacherSteps > 0) {
          ctx.emit({ type: 'stage-start', stage: 'teacher', phase: 'pretrain', epochs: Math.min(5, cfg.pretrain.teacherSteps), stepsPerEpoch: Math.ceil(cfg.pretrain.teacherSteps / 5) });
          await pretrainMlm(teacher, pretrainSpec('teacher', 'pretrain', cfg.pretrain.teacherSteps, pretrainRng.fork('pretrain-teacher')));
        }
        if (cfg.pretrain.teacherSteps > 0 || teacherCheckpoint) await cache?.put(teacherPretrainKey, await teacher.readWeights());
      }
      return classificationStage({ stage: 'teacher', optim: cfg.teacher, variables: teacher.classifierVariables(), model: teacher, train: prepared.defenderClean, evalSets: prepared.eval, cfg, ctx, rng: rng.fork('teacher-fit'), announce: false });
    });
    models.set('teacher', teacher);

    // ---- defenses: each on the poisoned student, with the defender's clean data -----------------
    // Made once, on first use: the weak teacher's targets (constants: the teacher is frozen) and ONION's LM.
    let teacherTargets: TeacherTargets | undefined;
    let lm: StudentModel | undefined;
    const filters = new Map<string, InputFilter>();
    // A failed attack (with `poison.untilAsr` set) gets no defenses: removing a backdoor that is not there says nothing.
    for (const method of defensesSkipped ? [] : cfg.defense.methods) {
      const stage: StageName = `defense:${method}`;
      const context: DefenseContext = {
        id: method,
        stage,
        cfg,
        data: prepared,
        ctx,
        rng: rng.fork(stage),
        poisoned: student,
        poisonedCopy: (label) => {
          const copy = new StudentModel(cfg.models.student, vocabSize, T, numLabels, cfg.models.dropout, rng.fork(`${stage}-${label}`));
          copy.setWeights(poisonedWeights);
          return copy;
        },
        weakTeacher: () => {
          if (!teacherTargets) {
            const made = inferAll(teacher, prepared.defenderClean.ids);
            owned.push({ dispose: () => tf.dispose([made.logits, made.feature]) });
            teacherTargets = made;
          }
          return teacherTargets;
        },
        pretrainedLm: () => {
          if (!lm) {
            const made = new StudentModel(cfg.models.student, vocabSize, T, numLabels, cfg.models.dropout, pretrainRng.fork('onion-lm'));
            owned.push(made);
            made.setWeights(pretrainedWeights);
            lm = made;
          }
          return lm;
        },
      };
      const outcome = await PROCEDURES[method].run(context);
      results.stages[stage] = outcome.result;
      ctx.emit({ type: 'stage-end', stage, result: outcome.result });
      if (outcome.kind === 'repair') {
        owned.push(outcome.model);
        models.set(method, outcome.model);
      } else filters.set(method, outcome.filter);
    }

    opts.emit({ type: 'done', results });
    const predictor = makePredictor(models, filters, data.tokenizer, T, interleaveLabels(data.texts.test, numLabels, TRY_SAMPLES), () => {
      owned.forEach((o) => o.dispose());
      if (data) disposeData(data);
    });
    return { results, predictor };
  } catch (error) {
    owned.forEach((o) => o.dispose());
    if (data) disposeData(data);
    if (error instanceof CancelledError) opts.emit({ type: 'log', level: 'warn', message: 'Run cancelled; all tensors freed.' });
    else opts.emit({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    throw error;
  }
}

/** Tokenizer, subsets, poisoning and encoding: everything that is the same for every stage. */
function prepareData(cfg: ExperimentConfig, dataset: Dataset, opts: RunOptions, shippedTokenizer?: TextTokenizer): PreparedData {
  const rng = new Rng(cfg.seed).fork('data');
  const numLabels = dataset.labelNames.length;
  const fullTrain = stratifiedSubset(dataset.train, cfg.data.maxTrain, rng.fork('train'));

  // The vocabulary: the shipped subword one, or the clean training text's words (plus the usual rare
  // trigger words and the words of this trigger) — the attacker's data must not decide what the
  // defender's tokenizer is. Built from the unclipped texts, so that the vocabulary (and with it the
  // pretrained checkpoint) does not depend on how much room the attack's trigger takes.
  const attack = ATTACKS[cfg.attack.kind];
  const triggerWords = attack.triggerWords(cfg.attack);
  let tokenizer: TextTokenizer;
  if (cfg.data.tokenizer === 'wordpiece') {
    if (!shippedTokenizer) throw new ConfigError('data.tokenizer', 'the shipped WordPiece vocabulary is not available here; use "word"');
    tokenizer = shippedTokenizer;
  } else {
    tokenizer = Tokenizer.fromTexts(fullTrain.map((e) => e.text), { vocabSize: cfg.data.vocabSize, reserved: [...ALWAYS_IN_VOCABULARY, ...triggerWords] });
  }
  // Texts are clipped to the model's window first, leaving room for the trigger (see window.ts); lengths
  // count the tokenizer's own tokens (a word may be several pieces).
  const countTokens = (text: string) => tokenizer.tokenize(text).length;
  const room = cfg.data.maxLength - 1 - countTokens(attack.addedText(cfg.attack));
  if (room < 2) {
    throw new ConfigError('data.maxLength', `${cfg.data.maxLength} tokens leave no room for the text beside the trigger; use at least ${cfg.data.maxLength + 2 - room}`);
  }
  const window = (examples: readonly Example[]) => clipExamples(examples, room, countTokens);
  const train = window(fullTrain);
  const test = window(stratifiedSubset(dataset.test, cfg.data.maxTest, rng.fork('test')));
  const dev = window(stratifiedSubset(dataset.dev, cfg.data.maxTest, rng.fork('dev')));
  const defenderSize = Math.max(numLabels, Math.round(cfg.data.defenseFraction * train.length));
  const defender = stratifiedSubset(train, defenderSize, rng.fork('defender'));
  const poisoned = poisonTrainingSet(train, cfg.attack, numLabels, cfg.seed);
  // Every non-target sentence of the whole test split gets the trigger (`maxTest` caps the clean sets
  // only): an ASR over a few dozen sentences would move in steps of several points.
  const fullTest = window(dataset.test);
  const poisonedTest = poisonedTestSet(fullTest, cfg.attack, cfg.seed);
  // The same sentences as `poisonedTest`, in the same order, without the trigger: the ASR's floor.
  const baseTest = fullTest.filter((e) => e.label !== cfg.attack.targetLabel);
  // The attacker's check that the backdoor is in (`poison.untilAsr`), built as the test one is, from the
  // (capped) dev set: the attacker never sees test.
  const poisonedDev = poisonedTestSet(dev, cfg.attack, cfg.seed);
  if (poisonedDev.length === 0 && cfg.poison.untilAsr > 0) {
    throw new ConfigError('poison.untilAsr', `every dev sentence has the target label, so poisoning cannot check its backdoor on dev; give the dev split sentences of other classes, or set poison.untilAsr to 0 (fixed epochs)`);
  }

  if (cfg.pretrain.extraCorpus !== 'none' && !opts.extraCorpus) {
    opts.emit({ type: 'log', level: 'warn', message: `Extra corpus "${cfg.pretrain.extraCorpus}" is not available here; pretraining on the task's own text only.` });
  }
  const poolTexts = unlabelledSentences(
    [...dataset.train, ...dataset.dev].map((e) => e.text),
    undefined,
  ).concat(opts.extraCorpus ?? []);
  const T = cfg.data.maxLength;
  const pretrainPool = tokenizer.encodeBatch(poolTexts, T);
  const fingerprint = hashString(
    JSON.stringify([dataset.name, dataset.labelNames, fullTrain.length, tokenizer.toJSON(), poolTexts.length, sample(fullTrain)]),
  );
  emitLog(opts.emit, `Data: ${train.length} train (${poisoned.poisonedIndices.length} poisoned), ${defender.length} clean for the defender, ${test.length} test, ${poisonedTest.length} triggered test, vocabulary ${tokenizer.vocabSize}, pretraining pool ${poolTexts.length} texts.`);
  const special = new Set([PAD, UNK, CLS, MASK, SEP]);
  // Under subwords these are the trigger's pieces, rows that clean text shares.
  const triggerIds = [...new Set(triggerWords.flatMap((w) => tokenizer.tokenize(w)).map((w) => tokenizer.idOf(w)))].filter((id) => !special.has(id));
  // Said before anything trains: a trigger in pieces clean text shares makes a different, fragile backdoor.
  const trigger = describeTrigger(tokenizer, cfg.attack, train.map((e) => e.text));
  emitLog(opts.emit, `Trigger: ${trigger.summary}.`);
  return {
    tokenizer,
    numLabels,
    cleanTrain: encodeSet(tokenizer, train, T),
    poisonedTrain: encodeSet(tokenizer, poisoned.examples, T),
    defenderClean: encodeSet(tokenizer, defender, T),
    triggerIds,
    trigger,
    eval: {
      test: encodeSet(tokenizer, test, T),
      poisonedTest: encodeSet(tokenizer, poisonedTest, T),
      baseTest: encodeSet(tokenizer, baseTest, T),
      dev: encodeSet(tokenizer, dev, T),
    },
    poisonedDev: encodeSet(tokenizer, poisonedDev, T),
    pretrainPool,
    fingerprint,
    evalFingerprint: hashString(JSON.stringify([sample(test), test.length, sample(poisonedTest), poisonedTest.length, sample(poisonedDev), poisonedDev.length])),
    room,
    texts: { test, poisonedTest, baseTest, dev, defender },
  };
}

/** Up to `n` examples taking each label in turn, so every class is on offer. */
function interleaveLabels(examples: readonly Example[], numLabels: number, n: number): Example[] {
  const byLabel = Array.from({ length: numLabels }, (_, c) => examples.filter((e) => e.label === c));
  const out: Example[] = [];
  for (let i = 0; out.length < n && byLabel.some((l) => i < l.length); i++) {
    for (const l of byLabel) if (i < l.length && out.length < n) out.push(l[i]!);
  }
  return out;
}

const usesShipped = (cfg: ExperimentConfig): boolean => cfg.data.tokenizer === 'wordpiece' || cfg.pretrain.checkpoint === 'shipped';

async function openShippedFor(cfg: ExperimentConfig, opts: RunOptions): Promise<ShippedModels> {
  const field = cfg.pretrain.checkpoint === 'shipped' ? 'pretrain.checkpoint' : 'data.tokenizer';
  if (!opts.shipped) throw new ConfigError(field, 'the shipped vocabulary and checkpoints are not available here; use data.tokenizer "word" and pretrain.checkpoint "none"');
  try {
    return await opts.shipped();
  } catch (err) {
    throw new ConfigError(field, `could not open the shipped checkpoints: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The shipped checkpoint for this role at the config's size; null when the config pretrains from scratch. */
function shippedEntry(shipped: ShippedModels, role: CheckpointEntry['role'], cfg: ExperimentConfig): CheckpointEntry | null {
  if (cfg.pretrain.checkpoint !== 'shipped') return null;
  const size = cfg.models[role];
  const entry = shipped.find(role, size);
  const have = shipped.manifest.checkpoints.filter((c) => c.role === role).map((c) => describeSize(c.size)).join(', ') || 'none';
  if (!entry) throw new ConfigError(`models.${role}`, `no shipped ${role} checkpoint of size ${describeSize(size)} (shipped: ${have}); pick a shipped size or set pretrain.checkpoint to "none"`);
  if (cfg.data.maxLength > entry.maxLength) {
    throw new ConfigError('data.maxLength', `the shipped ${role} was pretrained on ${entry.maxLength} positions; use data.maxLength ≤ ${entry.maxLength} or pretrain.checkpoint "none"`);
  }
  return entry;
}

async function startFromCheckpoint(model: StudentModel | TeacherModel, shipped: ShippedModels, entry: CheckpointEntry, emit: Emit): Promise<void> {
  try {
    loadLanguageModel(model.languageModelParams(), await shipped.weights(entry));
  } catch (err) {
    if (err instanceof CheckpointError) throw new ConfigError('pretrain.checkpoint', err.message);
    throw err;
  }
  emitLog(emit, `Started the ${entry.role} from the shipped checkpoint ${entry.file} (${entry.steps} masked-LM steps, final loss ${entry.finalLoss}).`);
}

function sample(examples: readonly Example[]): string[] {
  return examples.slice(0, 20).map((e) => `${e.label}:${e.text}`);
}

function disposeData(d: PreparedData): void {
  [d.cleanTrain, d.poisonedTrain, d.defenderClean, d.eval.test, d.eval.poisonedTest, d.eval.baseTest, d.eval.dev, d.poisonedDev].forEach(disposeSet);
}

function emitLog(emit: Emit, message: string): void {
  emit({ type: 'log', level: 'info', message });
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

interface Weighted {
  /** Async: a blocking read (`dataSync`) loses the device on WebGPU under SwiftShader. */
  readWeights(): Promise<SavedWeights>;
  setWeights(w: SavedWeights): void;
}

/**
 * Runs `train` unless the cache or the published models hold the stage's model; either way emits
 * stage-start/stage-end. A cached or published stage replays its stored result so charts and tables stay
 * complete; a published one is not copied into the cache (it is always at hand).
 */
async function runOrReplay(
  stage: StageName,
  ctx: StageContext,
  cache: ModelCache | undefined,
  published: PublishedModels | null,
  key: string,
  model: Weighted,
  train: () => Promise<StageResult>,
): Promise<StageResult> {
  const hit = cache ? await cache.get(key) : undefined;
  const replay = (hit && replayable(hit, model, key, ctx)) || (await replayPublished(published, model, key, ctx));
  if (replay) {
    const result = replay;
    ctx.emit({ type: 'stage-start', stage, epochs: result.epochs.length, stepsPerEpoch: 0 });
    for (const record of result.epochs) ctx.emit({ type: 'epoch', stage, ...record });
    ctx.emit({ type: 'stage-end', stage, result });
    return result;
  }
  const result = await train();
  ctx.emit({ type: 'stage-end', stage, result });
  if (cache) await cache.put(key, { ...(await model.readWeights()), [RESULT_KEY]: encodeResult(result) });
  return result;
}

/**
 * Loads a cached stage into `model` and returns its stored result, or undefined (and says why) when the
 * entry, though whole, does not fit: weights of another shape, or a result that no longer parses.
 */
function replayable(hit: SavedWeights, model: Weighted, key: string, ctx: StageContext): StageResult | undefined {
  try {
    const { weights, result } = splitStoredStage(hit);
    model.setWeights(weights);
    return { ...result, cached: true };
  } catch (error) {
    ctx.emit({ type: 'log', level: 'warn', message: `The cached model ${key} does not fit this run (${error instanceof Error ? error.message : String(error)}); training it again.` });
    return undefined;
  }
}

/** The published model for `key` loaded into `model`, and its result; undefined when none is published under it. */
async function replayPublished(published: PublishedModels | null, model: Weighted, key: string, ctx: StageContext): Promise<StageResult | undefined> {
  if (!published) return undefined;
  try {
    const found = await published.load(key);
    if (!found) return undefined;
    model.setWeights(found.weights);
    const { manifest } = published;
    emitLog(ctx.emit, `Loaded the attacker's published ${found.entry.stage} model (made by ${manifest.createdBy} with the ${manifest.preset} preset, seed ${manifest.seed}); change the attack or the seed to train it live.`);
    return { ...found.result, cached: true, published: true };
  } catch (error) {
    ctx.emit({ type: 'log', level: 'warn', message: `The published model ${key} could not be used (${error instanceof Error ? error.message : String(error)}); training it live.` });
    return undefined;
  }
}

/** Opens the published models when the edge offers them; a failure costs live training and a sentence, never the run. */
async function openPublishedFor(opts: RunOptions, ctx: StageContext): Promise<PublishedModels | null> {
  if (!opts.published) return null;
  try {
    return await opts.published();
  } catch (error) {
    ctx.emit({ type: 'log', level: 'warn', message: `The published models could not be opened (${error instanceof Error ? error.message : String(error)}); every stage trains live.` });
    return null;
  }
}

/** The stage's result travels with its weights in the cache, as UTF-8 bytes of JSON. */
const RESULT_KEY = '__result__';

function encodeResult(result: StageResult): { shape: number[]; data: Float32Array } {
  const bytes = new TextEncoder().encode(JSON.stringify(result));
  return { shape: [bytes.length], data: Float32Array.from(bytes) };
}

/** A stored stage (cache entry) as its model's weights and its result. */
export function splitStoredStage(stored: SavedWeights): { weights: SavedWeights; result: StageResult } {
  const { [RESULT_KEY]: encoded, ...weights } = stored;
  if (!encoded) throw new Error('it holds no stage result');
  return { weights, result: decodeResult(encoded.data) };
}

function decodeResult(data: Float32Array): StageResult {
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(data))) as StageResult;
}

function makePredictor(
  models: Map<string, StudentModel | TeacherModel>,
  filters: Map<string, InputFilter>,
  tokenizer: TextTokenizer,
  maxLength: number,
  samples: Example[],
  dispose: () => void,
): Predictor {
  const modelNamed = (name: string) => {
    const model = models.get(name);
    if (!model) throw new Error(`no model "${name}" in this run; it has ${[...models.keys()].join(', ')}`);
    return model;
  };
  const poisoned = modelNamed('poisoned');
  const screenAll = async (texts: string[]) => {
    const out: Record<string, Screened[]> = {};
    for (const [name, filter] of filters) out[name] = await filter.screen(texts);
    return out;
  };
  const probabilities = async (model: StudentModel | TeacherModel, texts: string[]) => {
    const ids = tf.tensor2d(tokenizer.encodeBatch(texts, maxLength), [texts.length, maxLength], 'int32');
    try {
      const probs = await predictProbabilities(model, ids);
      const c = probs.length / texts.length;
      return texts.map((_, i) => Array.from(probs.subarray(i * c, (i + 1) * c)));
    } finally {
      ids.dispose();
    }
  };
  return {
    models: () => [...models.keys()],
    filters: () => [...filters.keys()],
    screen: screenAll,
    samples: () => samples.map((e) => ({ ...e })),
    async features(texts: string[], name: string) {
      const ids = tf.tensor2d(tokenizer.encodeBatch(texts, maxLength), [texts.length, maxLength], 'int32');
      try {
        return await pooledFeatures(modelNamed(name), ids);
      } finally {
        ids.dispose();
      }
    },
    async attributions(text: string, name: string) {
      const model = modelNamed(name);
      const { tokens, scores } = await leaveOneOut(model, tokenizer, text, maxLength);
      return { tokens, scores };
    },
    async predict(texts: string[]) {
      const out: Record<string, number[][]> = {};
      for (const [name, model] of models) out[name] = await probabilities(model, texts);
      for (const [name, screened] of Object.entries(await screenAll(texts))) out[name] = await probabilities(poisoned, screened.map((s) => s.text));
      return out;
    },
    dispose,
  };
}
