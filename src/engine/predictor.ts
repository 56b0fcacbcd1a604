/**
 * After a run: every trained model's class probabilities for any text, what each input filter makes of
 * it, per-token attributions and pooled features — what the try-it box and the feature map ask.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Example } from './data/types';
import type { TextTokenizer } from './data/tokenizer';
import type { InputFilter, Screened } from './defenses/input-filter';
import { leaveOneOut } from './metrics/attribution';
import { pooledFeatures } from './metrics/features';
import type { StudentModel } from './models/student';
import type { TeacherModel } from './models/teacher';
import { predictProbabilities } from './train/evaluate';

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
  /** Per model only (no filter screens anything): one probability row per text. */
  classify(texts: string[]): Promise<Record<string, number[][]>>;
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

/** Up to `n` examples taking each label in turn, so every class is on offer. */
function interleaveLabels(examples: readonly Example[], numLabels: number, n: number): Example[] {
  const byLabel = Array.from({ length: numLabels }, (_, c) => examples.filter((e) => e.label === c));
  const out: Example[] = [];
  for (let i = 0; out.length < n && byLabel.some((l) => i < l.length); i++) {
    for (const l of byLabel) if (i < l.length && out.length < n) out.push(l[i]!);
  }
  return out;
}

/**
 * The predictor over a run's trained `models` and `filters`; it offers a few of `test` (each label in
 * turn) to try, and `dispose` frees what the run owns.
 */
export function makePredictor(
  models: Map<string, StudentModel | TeacherModel>,
  filters: Map<string, InputFilter>,
  tokenizer: TextTokenizer,
  maxLength: number,
  test: { examples: readonly Example[]; numLabels: number },
  dispose: () => void,
): Predictor {
  const samples = interleaveLabels(test.examples, test.numLabels, TRY_SAMPLES);
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
  const classify = async (texts: string[]) => {
    const out: Record<string, number[][]> = {};
    for (const [name, model] of models) out[name] = await probabilities(model, texts);
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
    classify,
    async predict(texts: string[]) {
      const out = await classify(texts);
      for (const [name, screened] of Object.entries(await screenAll(texts))) out[name] = await probabilities(poisoned, screened.map((s) => s.text));
      return out;
    },
    dispose,
  };
}
