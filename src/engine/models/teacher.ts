/**
 * The weak model: a smaller encoder with [CLS] pooling, then (as the paper's bert_plus.py) a projection
 * Linear(d_teacher → d_student) + ReLU, then the classifier on the projected feature. The projected
 * feature is what feature alignment compares with the student: with every real token's final state by
 * default, or with its pooled feature (`faMode`, see losses.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EncoderSize } from '../config';
import type { Rng } from '../rng';
import { Encoder, linearParams, readParams, readParamsAsync, tiedMlmLogits, writeParams, type NamedWeights, type Param } from './encoder';
import { dropout, Linear, newVariable } from './linear';
import { clsPool } from './pooling';

export class TeacherModel {
  readonly encoder: Encoder;
  /** [d_teacher] → [d_student], followed by ReLU. */
  readonly proj: Linear;
  /** Classifier: [d_student] → [numLabels]. */
  head: Linear;
  /** Output bias of the tied MLM decoder: [V]. */
  readonly mlmBias: tf.Variable;
  private dropoutRng: Rng;

  constructor(
    readonly size: EncoderSize,
    readonly vocabSize: number,
    readonly maxLen: number,
    numLabels: number,
    readonly studentWidth: number,
    readonly dropout: number,
    rng: Rng,
  ) {
    this.encoder = new Encoder(size, vocabSize, maxLen, dropout, rng.fork('encoder'));
    this.proj = new Linear(size.dModel, studentWidth, rng.fork('proj'));
    this.head = new Linear(studentWidth, numLabels, rng.fork('head'));
    this.mlmBias = newVariable(() => tf.zeros([vocabSize]));
    this.dropoutRng = rng.fork('head-dropout');
  }

  /** Every dropout stream of the model drawn from `rng` (see `Encoder.reseedDropout`); the constructor's `rng` gives the streams it was built with. */
  reseedDropout(rng: Rng): void {
    this.encoder.reseedDropout(rng.fork('encoder'));
    this.dropoutRng = rng.fork('head-dropout');
  }

  get numLabels(): number {
    return this.head.outDim;
  }

  /** ids: [B, T] int32 → logits [B, C] and feature [B, d_student] (the projected, ReLU'd [CLS] state). */
  classify(ids: tf.Tensor2D, training: boolean): { logits: tf.Tensor2D; feature: tf.Tensor2D } {
    const pooled = clsPool(this.encoder, ids, training); // [B, d_teacher]
    const x = training ? dropout(pooled, this.dropout, this.dropoutRng) : pooled;
    const feature = tf.relu(this.proj.apply(x, training)); // [B, d_student]
    return { logits: this.head.apply(feature, training), feature }; // logits: [B, C]
  }

  /** MLM pretraining on the encoder (before the projection). ids: [B, T], positions: [M] → [M, V]. */
  mlmLogits(ids: tf.Tensor2D, positions: tf.Tensor1D | null, training: boolean): tf.Tensor2D {
    return tiedMlmLogits(this.encoder, this.mlmBias, ids, positions, training);
  }

  /** The projection and the classifier: [proj.W, proj.b, head.W, head.b]. */
  headVariables(): tf.Variable[] {
    return [...this.proj.baseVariables(), ...this.head.baseVariables()];
  }

  /** What MLM pretraining trains: the encoder (embedding tied) and the MLM bias. */
  mlmVariables(): tf.Variable[] {
    return [...this.encoder.variables(), this.mlmBias];
  }

  /** Full-parameter fine-tuning (the paper's teacher): encoder, projection, classifier. */
  classifierVariables(): tf.Variable[] {
    return [...this.encoder.variables(), ...this.headVariables()];
  }

  /** Every variable. */
  allVariables(): tf.Variable[] {
    return [...this.encoder.variables(), ...this.headVariables(), this.mlmBias];
  }

  /** New classifier head for `numLabels` classes (the projection is kept). */
  resetHead(numLabels: number, rng: Rng): void {
    this.head.dispose();
    this.head = new Linear(this.studentWidth, numLabels, rng);
  }

  /** The language model's params by stable name (encoder and MLM bias): what a shipped checkpoint holds. */
  languageModelParams(): Param[] {
    return [...this.encoder.params('encoder.'), { name: 'mlm.bias', variable: this.mlmBias }];
  }

  private params(): Param[] {
    return [
      ...this.encoder.params('encoder.'),
      ...linearParams('proj', this.proj),
      ...linearParams('head', this.head),
      { name: 'mlm.bias', variable: this.mlmBias },
    ];
  }

  /** Host copy of every weight by stable name (sync device read). */
  getWeights(): NamedWeights {
    return readParams(this.params());
  }

  /** `getWeights` without a blocking read (preferred on WebGPU). */
  readWeights(): Promise<NamedWeights> {
    return readParamsAsync(this.params());
  }

  /** Loads weights saved by `getWeights`; throws, naming the weight, on a missing name or shape mismatch. */
  setWeights(w: NamedWeights): void {
    writeParams(this.params(), w);
  }

  dispose(): void {
    this.encoder.dispose();
    this.proj.dispose();
    this.head.dispose();
    this.mlmBias.dispose();
  }
}
