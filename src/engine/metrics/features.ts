/** Pooled features of a model on the host, for projections (the feature map). */
import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '../train/evaluate';

const BATCH = 128;

/** ids: [N, T] int32 → features [N, d] row-major, and d. One device read per batch. */
export async function pooledFeatures(model: Classifier, ids: tf.Tensor2D): Promise<{ data: Float32Array; dim: number }> {
  const [n, t] = ids.shape;
  const parts: Float32Array[] = [];
  let dim = 0;
  for (let start = 0; start < n; start += BATCH) {
    const size = Math.min(BATCH, n - start);
    const feature = tf.tidy(() => model.classify(tf.slice(ids, [start, 0], [size, t]), false).feature);
    dim = feature.shape[1];
    parts.push((await feature.data()) as Float32Array); // host-sync point: one per batch
    feature.dispose();
  }
  const data = new Float32Array(n * dim);
  parts.reduce((offset, p) => (data.set(p, offset), offset + p.length), 0);
  return { data, dim };
}
