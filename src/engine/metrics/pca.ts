/**
 * Principal component analysis by power iteration with deflation: enough for a 2-D picture of a few
 * hundred pooled features, with no library. Deterministic (fixed start vector).
 */

interface Projection {
  /** [n, k] row-major coordinates on the top-k components. */
  coords: Float32Array;
  /** [k, d] row-major unit components. */
  components: Float32Array;
  /** Variance along each component. */
  variances: number[];
}

/** data: [n, d] row-major → top-`k` principal components of the centred data. */
export function pca(data: ArrayLike<number>, n: number, d: number, k = 2, iterations = 200): Projection {
  if (data.length !== n * d) throw new RangeError(`pca: ${data.length} values is not ${n} rows × ${d} columns`);
  const x = new Float64Array(n * d);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += data[i * d + j]! / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = data[i * d + j]! - mean[j]!;
  // Covariance [d, d]: small (d is a model width), so form it once.
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const xa = x[i * d + a]!;
      if (xa === 0) continue;
      for (let b = a; b < d; b++) cov[a * d + b]! += (xa * x[i * d + b]!) / Math.max(1, n - 1);
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) cov[a * d + b] = cov[b * d + a]!;

  const components = new Float32Array(k * d);
  const variances: number[] = [];
  for (let c = 0; c < k; c++) {
    let v = new Float64Array(d).map((_, j) => 1 + ((j * 7919) % 13) / 13); // fixed, not axis-aligned start
    normalize(v);
    let lambda = 0;
    for (let it = 0; it < iterations; it++) {
      const w = new Float64Array(d);
      for (let a = 0; a < d; a++) {
        let s = 0;
        for (let b = 0; b < d; b++) s += cov[a * d + b]! * v[b]!;
        w[a] = s;
      }
      lambda = Math.sqrt(w.reduce((s, t) => s + t * t, 0));
      if (lambda < 1e-12) break;
      w.forEach((t, j) => (w[j] = t / lambda));
      v = w;
    }
    variances.push(lambda);
    components.set(Float32Array.from(v), c * d);
    // Deflate: remove this component's variance before finding the next.
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a * d + b]! -= lambda * v[a]! * v[b]!;
  }

  const coords = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += x[i * d + j]! * components[c * d + j]!;
      coords[i * k + c] = s;
    }
  }
  return { coords, components, variances };
}

function normalize(v: Float64Array): void {
  const norm = Math.sqrt(v.reduce((s, t) => s + t * t, 0)) || 1;
  v.forEach((t, j) => (v[j] = t / norm));
}
