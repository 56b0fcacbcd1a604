/**
 * Compute shaders without workgroup barriers or shared memory, for WebGPU devices that run on the CPU.
 *
 * Why: tfjs' WebGPU kernels are written for GPUs. Its matmul tiles through workgroup memory, its
 * reductions and softmax combine a row with a barrier tree, and a binary op whose 1-D operand is short
 * stages that operand in shared memory. On SwiftShader (Chromium's software WebGPU, what headless
 * Chromium and GPU-less machines get) every barrier switches fibers on the CPU, so these kernels are
 * the slow part of a step. Measured here with timestamp queries on the quick preset's student step:
 * 45 ms for a sum over the last axis of [1024, 32], 40–60 ms for a [1024, 64]·[64, 64] matmul. The
 * programs below give each invocation a whole output (a row sum, a softmax row, an 8×4 block of a
 * product) and loop in registers; the same products take 7–9 ms.
 *
 * They follow tfjs' `WebGPUProgram` contract: tfjs declares the buffers (`A`, `B`, `result`), the
 * uniforms (`aShape`, `outShape`, …, plus `uniforms` below) and the `_start` entry that calls `main`.
 */
import { webgpu_util, type WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

type Dispatch = [number, number, number];
const WORKGROUP: Dispatch = [64, 1, 1];

/** A flat dispatch of `threads` invocations, `WORKGROUP[0]` per workgroup. */
function flatDispatch(threads: number): { dispatchLayout: { x: number[] }; dispatch: Dispatch } {
  const layout = webgpu_util.flatDispatchLayout([threads]);
  return { dispatchLayout: layout, dispatch: webgpu_util.computeDispatch(layout, [threads], WORKGROUP) };
}

/**
 * A program whose invocations are laid out flat, `WORKGROUP[0]` to a workgroup: each one owns a unit of
 * work (an output element, a row, a block) and finds it from its index, so no program here needs
 * workgroup memory or barriers.
 */
abstract class FlatProgram implements WebGPUProgram {
  abstract readonly variableNames: string[];
  abstract shaderKey: string;
  readonly workgroupSize = WORKGROUP;
  readonly outputShape: number[];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: Dispatch;

  protected constructor(outputShape: number[], invocations: number) {
    this.outputShape = outputShape;
    ({ dispatchLayout: this.dispatchLayout, dispatch: this.dispatch } = flatDispatch(invocations));
  }

  abstract getUserCode(): string;
}

/** Output rows each matmul invocation computes: each loaded row of B serves eight (measured: eight beat four by ~15 % under SwiftShader). */
const MATMUL_ROWS_PER_THREAD = 8;

/**
 * out[b, m, n] = Σ_k A[b, m, k] · B[b, k, n] (+ bias[n]), with A stored [b, k, m] when `transposeA`
 * and B stored [b, n, k] when `transposeB`. A batch of 1 in A or B broadcasts. Each invocation owns
 * `MATMUL_ROWS_PER_THREAD` rows × `columns` columns of the output (columns = 4 when N % 4 == 0, so
 * results move as vec4).
 * Uniforms: dimInner (K), dimAOuter (M), dimBOuter (N).
 */
export class BlockMatMulProgram extends FlatProgram {
  readonly variableNames: string[];
  readonly uniforms = 'dimInner : i32, dimAOuter : i32, dimBOuter : i32,';
  shaderKey: string;
  readonly outputComponent: number;
  readonly variableComponents: number[];
  private readonly columns: number;

  constructor(
    outputShape: [number, number, number],
    private readonly transposeA: boolean,
    private readonly transposeB: boolean,
    private readonly hasBias: boolean,
  ) {
    const [batch, M, N] = outputShape;
    const columns = N % 4 === 0 ? 4 : 1;
    super(outputShape, batch * Math.ceil(M / MATMUL_ROWS_PER_THREAD) * (N / columns));
    this.columns = columns;
    this.outputComponent = this.columns;
    // B rows move as vec4 when they are stored along n; A is read a scalar at a time. (vec4 reads of
    // A along k or of Bᵀ were tried: 15–20 % slower under SwiftShader, which already spreads
    // invocations over SIMD lanes.)
    const vecB = this.columns === 4 && !transposeB;
    this.variableNames = hasBias ? ['A', 'B', 'bias'] : ['A', 'B'];
    const components = [1, vecB ? 4 : 1];
    this.variableComponents = hasBias ? [...components, this.columns] : components;
    this.shaderKey = `w2sBlockMatMul_${transposeA}_${transposeB}_${hasBias}_${this.columns}`;
  }

  getUserCode(): string {
    const R = MATMUL_ROWS_PER_THREAD;
    const C = this.columns;
    const vec = C === 4 ? 'vec4<f32>' : 'f32';
    const rows = Array.from({ length: R }, (_, i) => i);
    const each = (line: (i: number) => string) => rows.map(line).join('\n          ');
    const bias = this.hasBias ? (C === 4 ? 'bias[col / 4]' : 'bias[col]') : `${vec}(0.0)`;
    const a = (r: string) => (this.transposeA ? `A[aBase + k * M + ${r}]` : `A[aBase + ${r} * K + k]`);
    let bRow: string;
    if (C === 1) bRow = this.transposeB ? 'B[bBase + col * K + k]' : 'B[bBase + k * N + col]';
    else if (this.transposeB) bRow = `vec4<f32>(${[0, 1, 2, 3].map((j) => `B[bBase + (col + ${j}) * K + k]`).join(', ')})`;
    else bRow = 'B[(bBase + k * N + col) / 4]';
    return `
      fn main(index : i32) {
        let K = uniforms.dimInner;
        let M = uniforms.dimAOuter;
        let N = uniforms.dimBOuter;
        let colBlocks = N / ${C};
        let rowBlocks = (M + ${R - 1}) / ${R};
        if (index >= uniforms.outShape[0] * rowBlocks * colBlocks) { return; }
        let col = (index % colBlocks) * ${C};
        let row0 = ((index / colBlocks) % rowBlocks) * ${R};
        let batch = index / (colBlocks * rowBlocks);
        let aBase = (batch % uniforms.aShape[0]) * M * K;
        let bBase = (batch % uniforms.bShape[0]) * K * N;
        ${rows.map((i) => `let r${i} = min(row0 + ${i}, M - 1); var acc${i} = ${bias};`).join('\n        ')}
        for (var k = 0; k < K; k = k + 1) {
          let b = ${bRow};
          ${each((i) => `acc${i} = fma(${vec}(${a(`r${i}`)}), b, acc${i});`)}
        }
        let outBase = batch * M * N;
        ${rows.map((i) => `if (row0 + ${i} < M) { result[(outBase + (row0 + ${i}) * N + col) / ${C}] = acc${i}; }`).join('\n        ')}
      }`;
  }
}

export type ReduceOp = 'sum' | 'mean' | 'max' | 'min';

/**
 * Reduces the middle axis of x viewed as [outer, reduce, inner] (any contiguous run of axes):
 * out[o, i] = op_r x[o, r, i]. One invocation per output, looping in registers; NaN propagates
 * through max and min as in tfjs.
 * Uniforms: reduceSize, innerSize.
 */
export class AxisReduceProgram extends FlatProgram {
  readonly variableNames = ['x'];
  readonly uniforms = 'reduceSize : i32, innerSize : i32,';
  readonly size = true;
  shaderKey: string;

  constructor(outputSize: number, private readonly op: ReduceOp) {
    super([outputSize], outputSize);
    this.shaderKey = `w2sAxisReduce_${op}`;
  }

  getUserCode(): string {
    const combine: Record<ReduceOp, string> = {
      sum: 'acc = acc + v;',
      mean: 'acc = acc + v;',
      max: 'if (isnan(v) || v > acc) { acc = v; }',
      min: 'if (isnan(v) || v < acc) { acc = v; }',
    };
    const first = this.op === 'max' || this.op === 'min' ? 'x[base]' : '0.0';
    const result = this.op === 'mean' ? 'acc / f32(uniforms.reduceSize)' : 'acc';
    return `
      fn main(index : i32) {
        if (index >= uniforms.size) { return; }
        let inner = uniforms.innerSize;
        let base = (index / inner) * uniforms.reduceSize * inner + index % inner;
        var acc = f32(${first});
        for (var r = 0; r < uniforms.reduceSize; r = r + 1) {
          let v = f32(x[base + r * inner]);
          if (isnan(acc)) { break; }
          ${combine[this.op]}
        }
        setOutputAtIndex(index, ${result});
      }`;
  }
}

/** Softmax over the last axis of x viewed as [rows, cols]: one invocation per row (max, Σexp, write). */
export class RowSoftmaxProgram extends FlatProgram {
  readonly variableNames = ['logits'];
  readonly uniforms = 'rows : i32, cols : i32,';
  shaderKey = 'w2sRowSoftmax';

  constructor(rows: number, cols: number) {
    super([rows, cols], rows);
  }

  getUserCode(): string {
    return `
      fn main(row : i32) {
        if (row >= uniforms.rows) { return; }
        let base = row * uniforms.cols;
        var peak = logits[base];
        for (var c = 1; c < uniforms.cols; c = c + 1) { peak = max(peak, logits[base + c]); }
        var total = 0.0;
        for (var c = 0; c < uniforms.cols; c = c + 1) { total = total + exp(logits[base + c] - peak); }
        for (var c = 0; c < uniforms.cols; c = c + 1) { result[base + c] = exp(logits[base + c] - peak) / total; }
      }`;
  }
}

/**
 * An AdamW moment, elementwise: out = β·x + (1 − β)·f(g·scale[0]), f the identity (first moment) or
 * the square (second). One dispatch where the composite update takes four.
 * Uniforms: beta.
 */
export class AdamWMomentProgram extends FlatProgram {
  readonly variableNames = ['x', 'g', 'scale'];
  readonly uniforms = 'beta : f32,';
  readonly size = true;
  shaderKey: string;

  constructor(length: number, private readonly squared: boolean) {
    super([length], length);
    this.shaderKey = `w2sAdamWMoment_${squared}`;
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index >= uniforms.size) { return; }
        let g = g[index] * scale[0];
        result[index] = uniforms.beta * x[index] + (1.0 - uniforms.beta) * ${this.squared ? 'g * g' : 'g'};
      }`;
  }
}

/**
 * The AdamW parameter update from the new moments: out = decay·p − lrT·m/(√v + epsT).
 * Uniforms: decay, lrT, epsT.
 */
export class AdamWParamProgram extends FlatProgram {
  readonly variableNames = ['p', 'm', 'v'];
  readonly uniforms = 'decay : f32, lrT : f32, epsT : f32,';
  readonly size = true;
  shaderKey = 'w2sAdamWParam';

  constructor(length: number) {
    super([length], length);
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index >= uniforms.size) { return; }
        result[index] = uniforms.decay * p[index] - uniforms.lrT * m[index] / (sqrt(v[index]) + uniforms.epsT);
      }`;
  }
}

/**
 * The embedding gradient per distinct token, in a fixed order (the engine's `W2SRowSegmentSum`):
 * out[u, j] = Σ dy[order[k], j] for k in offsets[u] .. offsets[u+1] − 1, k ascending. One invocation
 * per output element loops over its id's positions, so no two invocations write one element and the
 * sum's order never changes: the same inputs give the same bits on every run (tfjs' scatter adds
 * with atomics, in the order the device happens to run them).
 * Uniforms: width (d).
 */
export class RowSegmentSumProgram extends FlatProgram {
  readonly variableNames = ['dy', 'order', 'offsets'];
  readonly uniforms = 'width : i32,';
  readonly size = true;
  shaderKey = 'w2sRowSegmentSum';

  constructor(rows: number, width: number) {
    super([rows, width], rows * width);
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index >= uniforms.size) { return; }
        let d = uniforms.width;
        let u = index / d;
        let j = index % d;
        var acc = 0.0;
        for (var k = offsets[u]; k < offsets[u + 1]; k = k + 1) {
          acc = acc + dy[order[k] * d + j];
        }
        setOutputAtIndex(index, acc);
      }`;
  }
}

/**
 * The engine's dropout (`W2SDropout`): element i kept when lowbias32(i ⊕ mix) ≥ threshold, scaled by
 * `keep`; the same hash as the engine's JS, so WebGPU draws the CPU's masks, with no mask uploaded.
 * Uniforms: mix (lowbias32 of the seed), threshold (round(rate·2³²)), keep (1 / (1 − rate)).
 */
export class DropoutProgram extends FlatProgram {
  readonly variableNames = ['x'];
  readonly uniforms = 'mix : u32, threshold : u32, keep : f32,';
  readonly size = true;
  shaderKey = 'w2sDropout';

  constructor(length: number) {
    super([length], length);
  }

  getUserCode(): string {
    return `
      fn lowbias32(v : u32) -> u32 {
        var h = v;
        h = h ^ (h >> 16u);
        h = h * 0x7feb352du;
        h = h ^ (h >> 15u);
        h = h * 0x846ca68bu;
        h = h ^ (h >> 16u);
        return h;
      }

      fn main(index : i32) {
        if (index >= uniforms.size) { return; }
        let kept = lowbias32(u32(index) ^ uniforms.mix) >= uniforms.threshold;
        setOutputAtIndex(index, select(0.0, x[index] * uniforms.keep, kept));
      }`;
  }
}

/**
 * One step of the gradients' sum of squares (the engine's `W2SSumOfSquares`): out = total[0] + Σ x²,
 * a single invocation looping over x — one dispatch per gradient where a square, a sum and an add
 * were three. (A single invocation suits the CPU-backed devices these kernels serve; a GPU would want
 * a tree, which is why the lab installs them only there.)
 * Uniforms: length (x's element count).
 */
export class SumOfSquaresStepProgram extends FlatProgram {
  readonly variableNames = ['x', 'total'];
  readonly uniforms = 'length : i32,';
  shaderKey = 'w2sSumOfSquaresStep';

  constructor() {
    super([1], 1);
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index >= 1) { return; }
        var acc = 0.0;
        for (var i = 0; i < uniforms.length; i = i + 1) { let v = x[i]; acc = acc + v * v; }
        result[0] = total[0] + acc;
      }`;
  }
}
