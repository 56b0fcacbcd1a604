/**
 * The data a run uses, prepared once before any stage: the tokenizer (shipped or built from the clean
 * training text), the subsets (train, the defender's share, test, dev), the poisoned training set and
 * the triggered test and dev sets, each clipped to the model's window and encoded; plus the
 * fingerprints that cache keys name.
 */
import { ConfigError, DEFAULT_TRIGGERS, type ExperimentConfig } from './config';
import type { Dataset, Example } from './data/types';
import type { Emit } from './events';
import { Rng } from './rng';
import { hashString } from './hash';
import { stratifiedSubset } from './data/build';
import { CLS, MASK, PAD, SEP, Tokenizer, tokenize, UNK, type TextTokenizer } from './data/tokenizer';
import { clipExamples } from './data/window';
import { unlabelledSentences } from './data/corpus';
import { ATTACKS } from './attacks/registry';
import { describeTrigger, type TriggerReport } from './attacks/trigger-tokens';
import { poisonTrainingSet, poisonedTestSet } from './attacks/poison';
import { disposeSet, encodeSet, type EncodedSet } from './train/batches';
import type { EvalSets } from './train/evaluate';
import { emitLog } from './emit-log';

/**
 * Classic BadNet rare words (Kurita et al.) kept in every vocabulary, so that the common triggers do
 * not change the vocabulary — and a sweep over them can reuse the pretrained student.
 */
const RARE_TRIGGER_WORDS = ['mn', 'cf', 'bb', 'tq', 'mb'];

/** The default triggers' words are always in the vocabulary too, so BadNet and InSent runs share it. */
const ALWAYS_IN_VOCABULARY = [...RARE_TRIGGER_WORDS, ...tokenize(DEFAULT_TRIGGERS.insent)];

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

/** What data preparation needs from the run's options. */
interface DataOptions {
  emit: Emit;
  /** Extra unlabelled text for pretraining (`pretrain.extraCorpus`), loaded by the edge. */
  extraCorpus?: string[];
}

/** Tokenizer, subsets, poisoning and encoding: everything that is the same for every stage. */
export function prepareData(cfg: ExperimentConfig, dataset: Dataset, opts: DataOptions, shippedTokenizer?: TextTokenizer): PreparedData {
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
  const poisoned = poisonTrainingSet(train, cfg.attack, numLabels, cfg.seed, dataset.labelNames);
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
  // Said before anything trains: a trigger in pieces clean text shares makes a different backdoor.
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
      baseInTest: rowsIn(baseTest, test),
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

/** For each of `rows`, the index of an example of `set` with the same text, or −1. */
function rowsIn(rows: readonly Example[], set: readonly Example[]): Int32Array {
  const index = new Map(set.map((e, i) => [e.text, i]));
  return Int32Array.from(rows, (e) => index.get(e.text) ?? -1);
}

function sample(examples: readonly Example[]): string[] {
  return examples.slice(0, 20).map((e) => `${e.label}:${e.text}`);
}

export function disposeData(d: PreparedData): void {
  [d.cleanTrain, d.poisonedTrain, d.defenderClean, d.eval.test, d.eval.poisonedTest, d.eval.baseTest, d.eval.dev, d.poisonedDev].forEach(disposeSet);
}
