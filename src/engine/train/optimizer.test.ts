import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADAMW_KERNEL, AdamW, adamwUpdate, clipByGlobalNorm, globalNormScale } from './optimizer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const arr = (t: tf.Tensor) => Array.from(t.dataSync());

/** torch.optim.AdamW, one parameter, float64. */
function adamwReference(p: number[], grads: number[][], lr: number, wd: number, decay: boolean): number[] {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  let x = p.slice();
  grads.forEach((g, k) => {
    const t = k + 1;
    x = x.map((xi, i) => {
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2;
      const mhat = m[i]! / (1 - b1 ** t);
      const vhat = v[i]! / (1 - b2 ** t);
      return (decay ? xi * (1 - lr * wd) : xi) - (lr * mhat) / (Math.sqrt(vhat) + eps);
    });
  });
  return x;
}

describe('AdamW', () => {
  it('first step: p·(1 − lr·wd) − lr·sign(g) for weights, no decay for rank-1 variables', () => {
    const W = tf.variable(tf.tensor2d([[1, 2], [3, 4]]));
    const b = tf.variable(tf.tensor1d([1, -1]));
    const opt = new AdamW([W, b], { weightDecay: 0.01 });
    // Step 1: m̂ = g, v̂ = g², so the Adam update is lr·g/(|g| + eps) = lr·sign(g) (0 where g = 0).
    opt.step([tf.tensor2d([[0.1, -0.2], [0.3, 0]]), tf.tensor1d([0.5, -0.5])], 0.1);
    const w = arr(W);
    [1 * 0.999 - 0.1, 2 * 0.999 + 0.1, 3 * 0.999 - 0.1, 4 * 0.999].forEach((e, i) => expect(w[i]).toBeCloseTo(e, 5));
    const bb = arr(b);
    expect(bb[0]).toBeCloseTo(0.9, 6);
    expect(bb[1]).toBeCloseTo(-0.9, 6);
    opt.dispose();
  });

  it('three steps match the torch.optim.AdamW formula (map form, by variable name)', () => {
    const W = tf.variable(tf.tensor2d([[0.5, -1], [2, 0.25]]));
    const b = tf.variable(tf.tensor1d([0.1, 0.2]));
    const opt = new AdamW([W, b], { weightDecay: 0.1 });
    const gW = [[0.3, -0.1, 0.02, 1], [-0.2, 0.4, 0.1, 0.5], [0.05, 0.05, -0.3, 0]];
    const gb = [[1, -2], [0.5, 0.5], [-1, 0.1]];
    for (let k = 0; k < 3; k++) opt.step({ [W.name]: tf.tensor2d(gW[k]!, [2, 2]), [b.name]: tf.tensor1d(gb[k]!) }, 0.05);
    adamwReference([0.5, -1, 2, 0.25], gW, 0.05, 0.1, true).forEach((e, i) => expect(arr(W)[i]).toBeCloseTo(e, 5));
    adamwReference([0.1, 0.2], gb, 0.05, 0.1, false).forEach((e, i) => expect(arr(b)[i]).toBeCloseTo(e, 5));
    opt.dispose();
  });

  it('leaves variables without a gradient alone and rejects unknown names', () => {
    const W = tf.variable(tf.tensor2d([[1, 2]]));
    const U = tf.variable(tf.tensor2d([[3, 4]]));
    const opt = new AdamW([W, U], { weightDecay: 0.5 });
    opt.step({ [W.name]: tf.tensor2d([[1, 1]]) }, 0.1);
    expect(arr(U)).toEqual([3, 4]);
    expect(() => opt.step({ nope: tf.tensor2d([[1, 1]]) }, 0.1)).toThrow(/nope/);
    opt.dispose();
  });

  it('a step frees its own temporaries; dispose frees the moments', () => {
    const before = tf.memory().numTensors;
    const W = tf.tidy(() => tf.variable(tf.tensor2d([[1, 2], [3, 4]]))); // tidy: tf.variable copies its input
    const opt = new AdamW([W], { weightDecay: 0.01 });
    const x = tf.tensor2d([[1, -1]]);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(tf.matMul(x, W))) as tf.Scalar, [W]);
    // No tf.tidy around the step: a tidy would free whatever the step forgot, and the check would pass
    // by construction. Only the caller's gradient and loss may remain, and the caller frees those.
    const mid = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) opt.step(grads, 0.01);
    expect(tf.memory().numTensors).toBe(mid);
    expect(opt.t).toBe(3);
    tf.dispose([value, ...Object.values(grads)]);
    opt.dispose();
    tf.dispose([W, x]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('clipByGlobalNorm', () => {
  it('scales by maxNorm / ‖g‖ when above, keeps when below; returns the norm as a tensor', () => {
    const { grads, norm } = clipByGlobalNorm([tf.tensor1d([3]), tf.tensor1d([4])], 1);
    expect(norm.dataSync()[0]).toBeCloseTo(5, 6);
    expect(grads[0]!.dataSync()[0]).toBeCloseTo(0.6, 5);
    expect(grads[1]!.dataSync()[0]).toBeCloseTo(0.8, 5);
    const kept = clipByGlobalNorm({ a: tf.tensor1d([0.3]), b: tf.tensor1d([0.4]) }, 1);
    expect(kept.grads.a!.dataSync()[0]).toBeCloseTo(0.3, 6);
    expect(kept.grads.b!.dataSync()[0]).toBeCloseTo(0.4, 6);
    expect(kept.norm.dataSync()[0]).toBeCloseTo(0.5, 6);
  });
});

describe('globalNormScale and the gradient scale in AdamW.step', () => {
  it('stepping with the clip factor equals stepping with clipped gradients', () => {
    const grads = () => [tf.tensor2d([[3, 0], [0, 4]]), tf.tensor1d([12])];
    const run = (useScale: boolean) => {
      const vars = [tf.variable(tf.tensor2d([[1, 2], [3, 4]])), tf.variable(tf.tensor1d([0.5]))];
      const opt = new AdamW(vars, { weightDecay: 0.01 });
      for (let k = 0; k < 3; k++) {
        tf.tidy(() => {
          const g = grads();
          if (useScale) opt.step(g, 0.1, globalNormScale(g, 1).factor);
          else opt.step(clipByGlobalNorm(g, 1).grads, 0.1);
        });
      }
      const out = vars.map(arr);
      opt.dispose();
      tf.dispose(vars);
      return out;
    };
    const clipped = run(false);
    const scaled = run(true);
    clipped.forEach((values, i) => values.forEach((v, j) => expect(scaled[i]![j]).toBeCloseTo(v, 6)));
    expect(globalNormScale(grads(), 1).norm.dataSync()[0]).toBeCloseTo(13, 5); // √(9 + 16 + 144)
  });
});

describe('the fused AdamW kernel hook', () => {
  it('runs a backend’s registered W2SAdamW kernel instead of the composite ops, with the same result', () => {
    let calls = 0;
    tf.registerKernel({
      kernelName: ADAMW_KERNEL,
      backendName: 'cpu',
      kernelFunc: ({ inputs, attrs, backend }) => {
        calls++;
        const { p, m, v, g, scale } = inputs as Record<string, tf.Tensor>;
        // A stand-in backend kernel: the composite update's values, handed back as fresh tensor infos.
        const outs = tf.tidy(() => adamwUpdate({ p: p!, m: m!, v: v!, g: g!, scale: scale as tf.Scalar }, attrs as never));
        const infos = outs.map((t) => (backend as tf.KernelBackend & { makeTensorInfo(s: number[], d: string, v: Float32Array): tf.TensorInfo }).makeTensorInfo(t.shape, 'float32', t.dataSync() as Float32Array));
        tf.dispose(outs);
        return infos;
      },
    });
    try {
      const fused = tf.variable(tf.tensor2d([[1, -2], [3, 0.5]]));
      const opt = new AdamW([fused], { weightDecay: 0.1 });
      const grad = tf.tensor2d([[0.2, -0.1], [0.05, 1]]);
      const before = tf.memory().numTensors;
      // No tf.tidy around the step: the hook's scale scalar and the kernel's outputs must be freed by the step.
      opt.step([grad], 0.01);
      expect(calls).toBe(1);
      expect(tf.memory().numTensors).toBe(before);
      grad.dispose();
      const expected = adamwReference([1, -2, 3, 0.5], [[0.2, -0.1, 0.05, 1]], 0.01, 0.1, true);
      arr(fused).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
      opt.dispose();
      fused.dispose();
    } finally {
      tf.unregisterKernel(ADAMW_KERNEL, 'cpu');
    }
  });
});
