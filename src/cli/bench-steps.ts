/**
 * What `npm run bench` measures, importable so a test can run each piece once on a tiny model:
 *   - one training step (forward + backward + AdamW update, clipped, as the pipeline runs it) of each
 *     stage type, timed as the median of N runs after a warm-up, plus the kernels it launches;
 *   - the transposed-matmul micro-benchmark that explains the engine's hand-written matmul gradients.
 * Inputs are synthetic (random token rows with padding, random labels, random teacher targets): the
 * cost of a step depends on shapes, not on the words.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentConfig, LoraConfig } from '../engine/config';
import { CLS, PAD, SPECIAL_TOKENS } from '../engine/data/tokenizer';
import type { Encoder } from '../engine/models/encoder';
import { countKernels } from '../engine/models/kernel-count';
import { linear, matMul } from '../engine/models/matmul';
import { StudentModel } from '../engine/models/student';
import { tokenMask } from '../engine/models/pooling';
import { TeacherModel } from '../engine/models/teacher';
import { Rng } from '../engine/rng';
import { defenseLoss } from '../engine/train/defense-loss';
import { w2sdefense } from '../engine/defenses/w2sdefense';
import { Stepper } from '../engine/train/fit';
import { crossEntropy, mlmLoss } from '../engine/train/losses';
import { maskBatch, MLM_OPTIM } from '../engine/train/pretrain';

/**
 * PyTorch CPU numbers measured on this machine before the engine existed (PyTorch is not a dependency,
 * so they are hard-coded): seconds per training step of a 4-layer width-256 encoder, seq 64, batch 32.
 * `tfjsPrototype` is a first tfjs WASM prototype of the same full step, with tfjs' own matmul gradients
 * (`naive`) and with explicit transposes.
 */
export const PYTORCH_CPU_REFERENCE = {
  shape: { layers: 4, dModel: 256, heads: 4, dFF: 1024, seqLen: 64, batch: 32, vocabSize: 8000 },
  secondsPerStep: { full: 0.52, lora: 0.29 },
  tfjsPrototypeSecondsPerStep: { naive: 22.8, explicitTransposes: 3.0 },
} as const;

/** The preset patched to the reference shape, so our step is measured like for like. */
export function referenceShapeConfig(base: ExperimentConfig): ExperimentConfig {
  const r = PYTORCH_CPU_REFERENCE.shape;
  const student = { layers: r.layers, dModel: r.dModel, heads: r.heads, dFF: r.dFF };
  return {
    ...base,
    data: { ...base.data, maxLength: r.seqLen, vocabSize: r.vocabSize },
    models: { ...base.models, student },
    poison: { ...base.poison, batchSize: r.batch },
    defense: { ...base.defense, batchSize: r.batch },
  };
}

export type StepKind = 'teacher-full' | 'student-mlm' | 'student-lora' | 'student-w2sdefense' | 'student-full';

export const STEP_KINDS: readonly StepKind[] = ['teacher-full', 'student-mlm', 'student-lora', 'student-w2sdefense', 'student-full'];

const STEP_LABELS: Record<StepKind, string> = {
  'teacher-full': 'teacher full fine-tune (CE)',
  'student-mlm': 'student MLM pretraining',
  'student-lora': 'student LoRA poisoning (CE)',
  'student-w2sdefense': 'student W2SDefense (LoRA, CE+KD+FA)',
  'student-full': 'student full fine-tune (CE)',
};

/** One stage type's training step on a model of its own, ready to run repeatedly. */
interface PreparedStep {
  kind: StepKind;
  batchSize: number;
  /** Elements in the variables the step updates. */
  trainableParams: number;
  /** One step: forward, backward, clipped AdamW update. Returns the batch loss (caller disposes). */
  step(): tf.Scalar;
  /** Frees the model, optimizer state and inputs. */
  dispose(): void;
}

/** Token rows as the tokenizer writes them: [CLS], words, then padding (a quarter to all of T used). */
function syntheticRows(rows: number, T: number, vocabSize: number, rng: Rng): Int32Array {
  const ids = new Int32Array(rows * T);
  const firstWord = SPECIAL_TOKENS.length;
  for (let r = 0; r < rows; r++) {
    const used = Math.max(2, Math.ceil(T * (0.25 + 0.75 * rng.next())));
    ids[r * T] = CLS;
    for (let t = 1; t < T; t++) ids[r * T + t] = t < used ? firstWord + rng.int(vocabSize - firstWord) : PAD;
  }
  return ids;
}

const sizeOf = (vars: tf.Variable[]) => vars.reduce((n, v) => n + v.size, 0);

/**
 * The training step of stage type `kind` with the sizes, batch sizes and optimiser settings of `cfg`:
 * teacher → `cfg.teacher`, MLM → `cfg.pretrain`, LoRA poisoning → `cfg.poison` (its LoRA targets),
 * W2SDefense and full fine-tuning → `cfg.defense`.
 */
function buildStep(kind: StepKind, cfg: ExperimentConfig, numLabels = 2, seed = 1): PreparedStep {
  const rng = new Rng(seed);
  const T = cfg.data.maxLength;
  const V = cfg.data.vocabSize;
  const owned: { dispose(): void }[] = [];
  const student = () => {
    const m = new StudentModel(cfg.models.student, V, T, numLabels, cfg.models.dropout, rng.fork('student'));
    owned.push(m);
    return m;
  };
  const batchInputs = (B: number) => {
    const hostIds = syntheticRows(B, T, V, rng.fork('rows'));
    const ids = tf.tensor2d(hostIds, [B, T], 'int32'); // [B, T]
    const labels = tf.tensor1d(Int32Array.from({ length: B }, () => rng.int(numLabels)), 'int32'); // [B]
    owned.push(ids, labels);
    return { ids, labels, hostIds };
  };
  /**
   * The step as the pipeline runs it. A step that trains the token embedding (`tokens` given: the
   * encoder and, per step, the batch's token ids) plans its lookups and, under `embeddingUpdate:
   * 'rows'`, updates only the batch's rows.
   */
  const finish = (
    batchSize: number,
    variables: tf.Variable[],
    optim: { lr: number; weightDecay: number; clipNorm: number; embeddingUpdate: 'rows' | 'dense' },
    loss: () => tf.Scalar,
    tokens?: { encoder: Encoder; ids: () => Int32Array },
  ): PreparedStep => {
    // The engine's own step (the training loop's `Stepper`), at the stage's peak learning rate.
    const stepper = new Stepper(variables, optim, tokens && { encoder: tokens.encoder, update: optim.embeddingUpdate });
    owned.push(stepper);
    return {
      kind,
      batchSize,
      trainableParams: sizeOf(variables),
      step: () => stepper.step(loss, optim.lr, tokens?.ids),
      dispose: () => owned.forEach((o) => o.dispose()),
    };
  };
  const withLora = (m: StudentModel, lora: LoraConfig) => {
    m.attachLora(lora, rng.fork('lora'));
    return [...m.loraVariables(), ...m.headVariables()];
  };

  switch (kind) {
    case 'teacher-full': {
      const o = cfg.teacher;
      const teacher = new TeacherModel(cfg.models.teacher, V, T, numLabels, cfg.models.student.dModel, cfg.models.dropout, rng.fork('teacher'));
      owned.push(teacher);
      const { ids, labels, hostIds } = batchInputs(o.batchSize);
      return finish(o.batchSize, teacher.classifierVariables(), o, () => crossEntropy(teacher.classify(ids, true).logits, labels), {
        encoder: teacher.encoder,
        ids: () => hostIds,
      });
    }
    case 'student-mlm': {
      const p = cfg.pretrain;
      const m = student();
      const poolRows = 4 * p.batchSize;
      const pool = syntheticRows(poolRows, T, V, rng.fork('pool'));
      const maskRng = rng.fork('mask');
      // As pretrainMlm: a fresh BERT-masked batch per step, drawn on the host, a dense table update.
      let batch: ReturnType<typeof maskBatch>;
      const nextBatch = () => {
        const rows = Array.from({ length: p.batchSize }, () => maskRng.int(poolRows));
        batch = maskBatch(pool, T, rows, V, p.maskRate, maskRng);
        return batch.ids;
      };
      const optim = { ...MLM_OPTIM, lr: p.lr };
      return finish(p.batchSize, m.mlmVariables(), optim, () => {
        const ids = tf.tensor2d(batch.ids, [p.batchSize, T], 'int32'); // [B, T]
        const positions = tf.tensor1d(batch.positions, 'int32'); // [M]
        const targets = tf.tensor1d(batch.targets, 'int32'); // [M]
        return mlmLoss(m.mlmLogits(ids, positions, true), targets); // inside trainStep's tidy: inputs freed with it
      }, { encoder: m.encoder, ids: nextBatch });
    }
    case 'student-lora': {
      const o = cfg.poison;
      const m = student();
      const variables = withLora(m, o.lora);
      const { ids, labels } = batchInputs(o.batchSize);
      return finish(o.batchSize, variables, o, () => crossEntropy(m.classify(ids, true).logits, labels));
    }
    case 'student-w2sdefense': {
      const d = cfg.defense;
      const m = student();
      const variables = withLora(m, d.lora);
      const { ids, labels } = batchInputs(d.batchSize);
      // The frozen teacher's outputs enter the loss as constants; random ones cost the same.
      const teacher = {
        logits: tf.randomNormal([d.batchSize, numLabels], 0, 1, 'float32', rng.seed()) as tf.Tensor2D, // [B, C]
        feature: tf.tidy(() => tf.relu(tf.randomNormal([d.batchSize, cfg.models.student.dModel], 0, 1, 'float32', rng.seed()))) as tf.Tensor2D, // [B, d]
      };
      owned.push(teacher.logits, teacher.feature);
      const weights = w2sdefense.weights(d);
      const mask = tokenMask(ids);
      owned.push(mask);
      return finish(d.batchSize, variables, d, () => defenseLoss(m.classifyWithStates(ids, true), teacher, labels, mask, weights, d.temperature, d.faMode));
    }
    case 'student-full': {
      const d = cfg.defense;
      const m = student();
      const { ids, labels, hostIds } = batchInputs(d.batchSize);
      return finish(d.batchSize, m.classifierVariables(), d, () => crossEntropy(m.classify(ids, true).logits, labels), { encoder: m.encoder, ids: () => hostIds });
    }
  }
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Milliseconds of `fn` (which returns tensors to read back and dispose), one warm-up then `runs` timed
 * calls. Each timed call includes reading every result back, so queued device work is counted.
 */
async function timeRuns(fn: () => tf.Tensor | tf.Tensor[], runs: number): Promise<number[]> {
  const once = async () => {
    const start = performance.now();
    const out = fn();
    const list = Array.isArray(out) ? out : [out];
    await Promise.all(list.map((t) => t.data())); // host-sync point: the device work is done
    const ms = performance.now() - start;
    tf.dispose(list);
    return ms;
  };
  await once(); // warm-up: kernel setup, first-use allocations
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  return times;
}

export interface StepMeasurement {
  kind: StepKind;
  label: string;
  batchSize: number;
  trainableParams: number;
  /** Each timed run, ms. */
  runsMs: number[];
  medianMs: number;
  samplesPerSecond: number;
  /** Kernels one step launches, and the most frequent kinds (null, [] when not counted). */
  kernels: number | null;
  topKernels: [string, number][];
}

/**
 * Median time of `runs` steps (after one warm-up), then, unless `countKernelLaunches` is false, one
 * more step under the profiler for the kernel count.
 */
async function measureStep(step: PreparedStep, runs: number, countKernelLaunches = true): Promise<StepMeasurement> {
  const runsMs = await timeRuns(() => step.step(), runs);
  const kc = countKernelLaunches ? await countKernels(() => step.step()) : null;
  const medianMs = median(runsMs);
  return {
    kind: step.kind,
    label: STEP_LABELS[step.kind],
    batchSize: step.batchSize,
    trainableParams: step.trainableParams,
    runsMs,
    medianMs,
    samplesPerSecond: (step.batchSize * 1000) / medianMs,
    kernels: kc?.total ?? null,
    topKernels: kc?.byName.slice(0, 6) ?? [],
  };
}

/** Builds, measures and disposes the step of `kind` for `cfg`. */
export async function measureStepKind(
  kind: StepKind,
  cfg: ExperimentConfig,
  runs: number,
  opts: { numLabels?: number; countKernelLaunches?: boolean } = {},
): Promise<StepMeasurement> {
  const step = buildStep(kind, cfg, opts.numLabels ?? 2);
  try {
    return await measureStep(step, runs, opts.countKernelLaunches ?? true);
  } finally {
    step.dispose();
  }
}

interface Timing {
  name: string;
  medianMs: number;
  /** medianMs over the plain matmul's. */
  ratio: number;
}

const withRatios = (rows: { name: string; medianMs: number }[]): Timing[] =>
  rows.map((r) => ({ ...r, ratio: r.medianMs / rows[0]!.medianMs }));

/**
 * Forward matmul of a: [m, k] @ b: [k, n] four ways: plain; transposeB and transposeA flags on
 * operands stored transposed; and an explicit `tf.transpose` followed by a plain matmul.
 */
export async function benchTransposedMatmul(m: number, k: number, n: number, runs: number): Promise<Timing[]> {
  const a = tf.randomNormal([m, k], 0, 1, 'float32', 1) as tf.Tensor2D; // [m, k]
  const b = tf.randomNormal([k, n], 0, 1, 'float32', 2) as tf.Tensor2D; // [k, n]
  const aT = tf.transpose(a); // [k, m]
  const bT = tf.transpose(b); // [n, k]
  try {
    const rows: { name: string; medianMs: number }[] = [];
    const add = async (name: string, fn: () => tf.Tensor) => rows.push({ name, medianMs: median(await timeRuns(fn, runs)) });
    await add('tf.matMul(a, b)  plain', () => tf.matMul(a, b));
    await add('tf.matMul(a, bᵀ, false, true)', () => tf.matMul(a, bT, false, true));
    await add('tf.matMul(aᵀ, b, true, false)', () => tf.matMul(aT, b, true, false));
    await add('tf.transpose(bᵀ) + plain matMul', () => tf.tidy(() => tf.matMul(a, tf.transpose(bT))));
    await add('tf.transpose(aᵀ) + plain matMul', () => tf.tidy(() => tf.matMul(tf.transpose(aT), b)));
    return withRatios(rows);
  } finally {
    tf.dispose([a, b, aT, bT]);
  }
}

interface BackwardTiming {
  op: string;
  /** The engine's op: registered gradient with explicit transposes and plain matmuls. */
  engineMs: number;
  /** tfjs' own op and gradient (transposed matmuls). */
  builtinMs: number;
  /** builtinMs / engineMs. */
  speedup: number;
}

/**
 * Forward + backward (gradients wrt both operands, for a given dY) of the engine's `matMul` and
 * `linear` against tfjs' built-in gradients of `tf.matMul` and `tf.fused.matMul`; x: [m, k], w: [k, n].
 */
export async function benchMatmulBackward(m: number, k: number, n: number, runs: number): Promise<BackwardTiming[]> {
  const x = tf.randomNormal([m, k], 0, 1, 'float32', 3) as tf.Tensor2D; // [m, k]
  const w = tf.randomNormal([k, n], 0, 1, 'float32', 4) as tf.Tensor2D; // [k, n]
  const bias = tf.randomNormal([n], 0, 1, 'float32', 5) as tf.Tensor1D; // [n]
  const dy = tf.randomNormal([m, n], 0, 1, 'float32', 6) as tf.Tensor2D; // [m, n]
  const mm = (f: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor) => () => tf.grads((a, b) => f(a as tf.Tensor2D, b as tf.Tensor2D))([x, w], dy);
  const lin = (f: (a: tf.Tensor2D, b: tf.Tensor2D, c: tf.Tensor1D) => tf.Tensor) => () =>
    tf.grads((a, b, c) => f(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor1D))([x, w, bias], dy);
  const ms = async (fn: () => tf.Tensor[]) => median(await timeRuns(fn, runs));
  try {
    const out: BackwardTiming[] = [];
    const pair = async (op: string, engine: () => tf.Tensor[], builtin: () => tf.Tensor[]) => {
      const engineMs = await ms(engine);
      const builtinMs = await ms(builtin);
      out.push({ op, engineMs, builtinMs, speedup: builtinMs / engineMs });
    };
    await pair('matMul  (dX, dW)', mm((a, b) => matMul(a, b)), mm((a, b) => tf.matMul(a, b)));
    await pair('linear  (dX, dW, db) vs tf.fused.matMul', lin((a, b, c) => linear(a, b, c)), lin((a, b, c) => tf.fused.matMul({ a, b, bias: c })));
    return out;
  } finally {
    tf.dispose([x, w, bias, dy]);
  }
}
