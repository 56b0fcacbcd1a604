/**
 * The strong model: a transformer encoder with a classification head on the pooled final hidden states
 * (mean over real tokens by default; see pooling.ts), and a masked-LM head tied to the token embedding
 * for its own pretraining.
 * Poisoning and the defenses attach LoRA adapters to the encoder's q/k/v/o/ff1/ff2 linears.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EncoderSize, LoraConfig } from '../config';
import type { Rng } from '../rng';
import { Encoder, linearParams, type EncoderTaps, readParams, readParamsAsync, tiedDecoder, tiedMlmLogits, writeParams, type NamedWeights, type Param } from './encoder';
import { dropout, Linear, newVariable } from './linear';
import { poolStates, type Pooling } from './pooling';

export class StudentModel {
  readonly encoder: Encoder;
  /** Classifier: [d] → [numLabels]. */
  head: Linear;
  /** Output bias of the tied MLM decoder: [V]. */
  readonly mlmBias: tf.Variable;
  private dropoutRng: Rng;

  constructor(
    readonly size: EncoderSize,
    readonly vocabSize: number,
    readonly maxLen: number,
    numLabels: number,
    readonly dropout: number,
    rng: Rng,
    /** Sentence feature: mean over tokens by default (see pooling.ts for why). */
    readonly pooling: Pooling = 'mean',
  ) {
    this.encoder = new Encoder(size, vocabSize, maxLen, dropout, rng.fork('encoder'));
    this.head = new Linear(size.dModel, numLabels, rng.fork('head'));
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

  /** ids: [B, T] int32 → logits [B, C] and feature [B, d] (the pooled final hidden state). */
  classify(ids: tf.Tensor2D, training: boolean): { logits: tf.Tensor2D; feature: tf.Tensor2D } {
    const { logits, feature } = this.classifyWithStates(ids, training);
    return { logits, feature };
  }

  /**
   * `classify` plus every token's final (post-LayerNorm) hidden state, states: [B, T, d], for per-token FA;
   * `taps` collects inner activations on the way (see `EncoderTaps`).
   */
  classifyWithStates(ids: tf.Tensor2D, training: boolean, taps?: EncoderTaps): { logits: tf.Tensor2D; feature: tf.Tensor2D; states: tf.Tensor3D } {
    const states = this.encoder.apply(ids, training, taps); // [B, T, d]
    const feature = poolStates(this.pooling, states, ids); // [B, d]
    const x = training ? dropout(feature, this.dropout, this.dropoutRng) : feature;
    return { logits: this.head.apply(x, training), feature, states }; // logits: [B, C]
  }

  /**
   * `classifyWithStates` plus `earlierStates`: each block's output but the last, read through the final
   * LayerNorm, [B, T, d] each — the states every-block FA aligns beside the final ones (the last block's
   * output through that norm *is* the final states).
   */
  classifyWithEveryBlock(ids: tf.Tensor2D, training: boolean): { logits: tf.Tensor2D; feature: tf.Tensor2D; states: tf.Tensor3D; earlierStates: tf.Tensor3D[] } {
    const taps: EncoderTaps = { blocks: [] };
    const out = this.classifyWithStates(ids, training, taps);
    const shape = out.states.shape;
    const earlierStates = taps.blocks!.slice(0, -1).map((x) => tf.reshape(this.encoder.finalNorm.apply(x), shape) as tf.Tensor3D);
    return { ...out, earlierStates };
  }

  /** The final LayerNorm's scale and shift. */
  finalNormVariables(): tf.Variable[] {
    return this.encoder.finalNorm.variables();
  }

  /** ids: [B, T] int32, positions: [M] flat indices into B·T (null: every position) → logits [M, V]. */
  mlmLogits(ids: tf.Tensor2D, positions: tf.Tensor1D | null, training: boolean): tf.Tensor2D {
    return tiedMlmLogits(this.encoder, this.mlmBias, ids, positions, training);
  }

  /**
   * Eval-mode MLM logits at one token per row: ids [B, T] int32, positions [B] int32 (0 ≤ p < T) → [B, V].
   * The rows of `mlmLogits` at those tokens, with the last block run only there (`Encoder.hiddenAt`).
   */
  mlmLogitsAt(ids: tf.Tensor2D, positions: tf.Tensor1D): tf.Tensor2D {
    return tiedDecoder(this.encoder, this.mlmBias, this.encoder.hiddenAt(ids, positions));
  }

  /** A fresh adapter on `cfg.targets` of every block (replacing any present). */
  attachLora(cfg: LoraConfig, rng: Rng): void {
    this.encoder.attachLora(cfg, rng);
  }

  /** Folds the adapters into the base weights (the poisoned / defended model) and removes them. */
  mergeLora(): void {
    this.encoder.mergeLora();
  }

  detachLora(): void {
    this.encoder.detachLora();
  }

  get hasLora(): boolean {
    return this.encoder.hasLora;
  }

  /** Adapters only. */
  loraVariables(): tf.Variable[] {
    return this.encoder.loraVariables();
  }

  /** The classification head: [W, b]. */
  headVariables(): tf.Variable[] {
    return this.head.baseVariables();
  }

  /** What MLM pretraining trains: the encoder (embedding included, tied) and the MLM bias. */
  mlmVariables(): tf.Variable[] {
    return [...this.encoder.variables(), this.mlmBias];
  }

  /** Full fine-tuning of the classifier: encoder base weights and head (adapters and MLM bias excluded). */
  classifierVariables(): tf.Variable[] {
    return [...this.encoder.variables(), ...this.headVariables()];
  }

  /** Every variable, adapters included. */
  allVariables(): tf.Variable[] {
    return [...this.encoder.variables(), ...this.loraVariables(), ...this.headVariables(), this.mlmBias];
  }

  /** New classifier head for `numLabels` classes (the old one is disposed). */
  resetHead(numLabels: number, rng: Rng): void {
    this.head.dispose();
    this.head = new Linear(this.size.dModel, numLabels, rng);
  }

  /** The language model's params by stable name (encoder and MLM bias): what a shipped checkpoint holds. */
  languageModelParams(): Param[] {
    return [...this.encoder.params('encoder.'), { name: 'mlm.bias', variable: this.mlmBias }];
  }

  private params(): Param[] {
    return [...this.encoder.params('encoder.'), ...linearParams('head', this.head), { name: 'mlm.bias', variable: this.mlmBias }];
  }

  /** Host copy of every weight by stable name; attached adapters are folded in (sync device read). */
  getWeights(): NamedWeights {
    return readParams(this.params());
  }

  /** `getWeights` without a blocking read (preferred on WebGPU). */
  readWeights(): Promise<NamedWeights> {
    return readParamsAsync(this.params());
  }

  /**
   * Loads weights saved by `getWeights`. Any attached adapter is dropped first (saved weights already
   * include theirs). Throws, naming the weight, on a missing name or a shape mismatch.
   */
  setWeights(w: NamedWeights): void {
    this.encoder.detachLora();
    writeParams(this.params(), w);
  }

  dispose(): void {
    this.encoder.dispose();
    this.head.dispose();
    this.mlmBias.dispose();
  }
}
