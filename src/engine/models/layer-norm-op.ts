/**
 * LayerNorm over the last axis as one differentiable op with a hand-written backward. Autodiff of the
 * composite (mean, centre, square, mean, add, rsqrt, two products, a sum) records nine tape nodes, saves
 * about a dozen tensors (each an `Identity` launch) and runs ~25 kernels backwards; the closed form
 * below saves three and runs eleven. Checked against the composite and by finite differences in
 * layer-norm-op.test.ts.
 *
 * Forward: x̂ = (x − μ)·r, r = 1/√(σ² + ε), y = γ·x̂ + β (μ, σ² over the last axis, biased variance).
 * Backward (d the last axis' size; means over it): g = dy·γ;
 *   dx = r·(g − mean(g) − x̂·mean(g·x̂)),  dγ = Σ_rows dy·x̂,  dβ = Σ_rows dy.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The composite form, op by op: the reference the custom op is tested against. */
export function layerNormComposite(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor2D {
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, eps))), gamma), beta);
}

const ops = new Map<number, (x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D) => tf.Tensor2D>();

/** x: [N, d], gamma/beta: [d] → [N, d]. One custom-gradient op per ε (built once, reused). */
export function layerNorm(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor2D {
  let op = ops.get(eps);
  if (!op) {
    op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [x, g, b, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
      const mean = tf.mean(x, -1, true); // [N, 1]
      const centred = tf.sub(x, mean);
      const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), eps)); // [N, 1]
      const xhat = tf.mul(centred, rstd); // [N, d]
      save([xhat, rstd, g]);
      return {
        value: tf.add(tf.mul(xhat, g), b),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xh, r, gamma] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
          const gx = tf.mul(dy, gamma); // [N, d]
          const dx = tf.mul(r, tf.sub(tf.sub(gx, tf.mean(gx, -1, true)), tf.mul(xh, tf.mean(tf.mul(gx, xh), -1, true))));
          return [dx, tf.sum(tf.mul(dy, xh), 0), tf.sum(dy, 0)];
        },
      };
    }) as unknown as (x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D) => tf.Tensor2D;
    ops.set(eps, op);
  }
  return op(x, gamma, beta);
}
