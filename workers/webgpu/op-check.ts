/**
 * Checks the engine's single ops (each with a hand-written backward) against the composite of tfjs
 * ops they replace, on the device at hand and with whichever kernels are installed: the forward value
 * and the gradient of Σ w ⊙ op(inputs) wrt every input must agree. Kernels are checked one by one in
 * `self-check.ts`; this checks the ops built from them, backward passes included, where the unit
 * tests (CPU, with finite differences) cannot reach.
 */
import * as tf from '@tensorflow/tfjs-core';
import { attention, attentionComposite } from '../../src/engine/models/attention-op';
import { gelu, geluComposite } from '../../src/engine/models/gelu-op';
import { layerNorm, layerNormComposite } from '../../src/engine/models/layer-norm-op';
import { gatherRows } from '../../src/engine/models/matmul';
import { planTokens } from '../../src/engine/models/token-plan';
import { TokenRows } from '../../src/engine/models/token-rows';
import { crossEntropy, crossEntropyComposite } from '../../src/engine/train/losses';
import { errorMessage } from '../../src/engine/error-message';

interface OpCase {
  label: string;
  /** Random float inputs by shape (values in [−1.5, 1.5]). */
  inputs: number[][];
  ours: (...x: tf.Tensor[]) => tf.Tensor;
  reference: (...x: tf.Tensor[]) => tf.Tensor;
}

const [B, T, H, d] = [2, 5, 2, 8];
const mask = () => tf.reshape(tf.tensor1d([0, 0, 0, 0, 0, 0, 0, 0, -1e9, -1e9]), [B, 1, 1, T]);
const labels = () => tf.tensor1d([1, 0, 2, 1], 'int32');
const TOKENS = Int32Array.from([3, 0, 3, 5, 0, 0, 1]);

export const OP_CASES: OpCase[] = [
  {
    label: 'LayerNorm [6, 8]',
    inputs: [[6, 8], [8], [8]],
    ours: (x, g, b) => layerNorm(x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5),
    reference: (x, g, b) => layerNormComposite(x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5),
  },
  { label: 'GELU [6, 8]', inputs: [[6, 8]], ours: (x) => gelu(x!), reference: (x) => geluComposite(x!) },
  {
    label: `attention B ${B}, T ${T}, ${H} heads, width ${d}, padded keys`,
    inputs: [[B * T, d], [B * T, d], [B * T, d]],
    ours: (q, k, v) => attention(q as tf.Tensor2D, k as tf.Tensor2D, v as tf.Tensor2D, mask(), B, T, H),
    reference: (q, k, v) => attentionComposite(q as tf.Tensor2D, k as tf.Tensor2D, v as tf.Tensor2D, mask(), B, T, H),
  },
  {
    label: 'softmax cross-entropy [4, 3]',
    inputs: [[4, 3]],
    ours: (z) => crossEntropy(z as tf.Tensor2D, labels()),
    reference: (z) => crossEntropyComposite(z as tf.Tensor2D, labels()),
  },
  {
    label: 'planned token lookup (fixed-order gradient) [6, 4] table, 7 tokens',
    inputs: [[6, 4]],
    ours: (table) => {
      const rows = TokenRows.dense(planTokens(TOKENS));
      const out = rows.lookup(table as tf.Tensor2D, tf.tensor1d(TOKENS, 'int32'));
      // Disposed with the check's tidy: the rows' index tensors are freed by the caller's scope.
      return out;
    },
    reference: (table) => gatherRows(table as tf.Tensor2D, tf.tensor1d(TOKENS, 'int32')),
  },
];

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-4 + 1e-3 * Math.abs(b);

/** Runs every case; one line per disagreement (value or gradient), empty when all agree. */
export async function checkOps(seed = 13, cases: readonly OpCase[] = OP_CASES): Promise<string[]> {
  const failures: string[] = [];
  for (const [i, c] of cases.entries()) {
    try {
      const outs = tf.tidy(() => {
        const x = c.inputs.map((shape, j) => tf.randomUniform(shape, -1.5, 1.5, 'float32', seed + 17 * i + j));
        const probe = c.reference(...x);
        const w = tf.randomUniform(probe.shape, -1, 1, 'float32', seed + 101 * i);
        const lossOf = (f: OpCase['ours']) => (...args: tf.Tensor[]) => tf.sum(tf.mul(f(...args), w)) as tf.Scalar;
        return [c.ours(...x), probe, ...tf.grads(lossOf(c.ours))(x), ...tf.grads(lossOf(c.reference))(x)];
      });
      const n = c.inputs.length;
      const names = ['value', ...c.inputs.map((_, j) => `gradient ${j + 1}`)];
      const pairs: [tf.Tensor, tf.Tensor][] = [[outs[0]!, outs[1]!], ...Array.from({ length: n }, (_, j) => [outs[2 + j]!, outs[2 + n + j]!] as [tf.Tensor, tf.Tensor])];
      for (const [k, [mine, ref]] of pairs.entries()) {
        const [a, b] = await Promise.all([mine.data(), ref.data()]);
        const bad = Array.from(a).findIndex((v, j) => !close(v, b[j]!));
        if (bad >= 0) failures.push(`${c.label} ${names[k]}: element ${bad} is ${a[bad]}, the composite gives ${b[bad]}`);
      }
      tf.dispose(outs);
    } catch (error) {
      failures.push(`${c.label}: ${errorMessage(error)}`);
    }
  }
  return failures;
}
