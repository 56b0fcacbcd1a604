/**
 * GELU, exact (erf) form as in BERT, as one op with a closed-form backward:
 *   y = x·Φ(x) = ½x·(1 + erf(x/√2)),   dy/dx = Φ(x) + x·φ(x),   φ(x) = exp(−x²/2)/√(2π).
 * The forward saves x and erf(x/√2), which it computes anyway; autodiff of the composite would save
 * every intermediate and differentiate erf on its own. Checked against the composite and by finite
 * differences in gelu-op.test.ts.
 */
import * as tf from '@tensorflow/tfjs-core';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** The composite form: the reference the op is tested against. */
export function geluComposite<T extends tf.Tensor>(x: T): T {
  const half = tf.mul(x, 0.5);
  return tf.add(half, tf.mul(half, tf.erf(tf.mul(x, Math.SQRT1_2))));
}

const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const erf = tf.erf(tf.mul(x, Math.SQRT1_2));
  save([x, erf]);
  return {
    value: tf.mul(tf.mul(x, 0.5), tf.add(erf, 1)),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, e] = saved as [tf.Tensor, tf.Tensor];
      const cdf = tf.mul(tf.add(e, 1), 0.5); // Φ(x)
      const pdf = tf.mul(tf.exp(tf.mul(tf.square(xs), -0.5)), INV_SQRT_2PI); // φ(x)
      return tf.mul(dy, tf.add(cdf, tf.mul(xs, pdf)));
    },
  };
});

/** x: any shape → same shape. */
export function gelu<T extends tf.Tensor>(x: T): T {
  return op(x) as T;
}
