/**
 * Shipped pretrained checkpoints: the lab's "public LLM" and its small teacher, pretrained once by
 * `scripts/build-checkpoints.ts` and served from `public/checkpoints/` (fp16 weights, a JSON manifest
 * of corpus, steps, loss and SHA-256 hashes, and the WordPiece vocabulary they were trained with).
 *
 * Only the language model travels: encoder and MLM bias. The heads (and the teacher's projection to
 * the student's width) depend on the task, so a run starts them fresh. A checkpoint pretrained at a
 * longer window serves any shorter one: the first `maxLength` position rows are taken.
 *
 * The engine reads files through `readFile`, so the same code loads from disk in Node and by `fetch`
 * in the browser.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EncoderSize } from '../config';
import { WordPieceTokenizer } from '../data/wordpiece';
import type { NamedWeights, Param } from './encoder';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 1;

/** One tensor's place in a checkpoint's `.bin`: fp16 values, row-major, at `offset` (in values). */
export interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
}

export interface CheckpointEntry {
  /** `student` (the public LLM) or `teacher` (the weak model's encoder). */
  role: 'student' | 'teacher';
  size: EncoderSize;
  /** Position rows pretrained: the longest `data.maxLength` it serves. */
  maxLength: number;
  file: string;
  sha256: string;
  dtype: 'float16';
  tensors: TensorEntry[];
  steps: number;
  batchSize: number;
  lr: number;
  /** Mean masked-LM loss over the last fifth of pretraining. */
  finalLoss: number;
  /** Masked-LM loss on corpus rows kept out of pretraining (absent in builds before it was measured). */
  heldOutLoss?: number;
  seconds: number;
}

export interface CheckpointManifest {
  format: number;
  createdBy: string;
  seed: number;
  /** What the models read: package names and chunk counts (train splits only, never test text). */
  corpus: { name: string; texts: number }[];
  tokenizer: { file: string; sha256: string; vocabSize: number };
  checkpoints: CheckpointEntry[];
}

/** The shipped vocabulary and checkpoints, opened and checked. */
export interface ShippedModels {
  manifest: CheckpointManifest;
  tokenizer: WordPieceTokenizer;
  /** The checkpoint for this role and size, or null when none was shipped (say which exist). */
  find(role: CheckpointEntry['role'], size: EncoderSize): CheckpointEntry | null;
  /** The checkpoint's weights (fp32 copies of its fp16 values), after checking the file's hash. */
  weights(entry: CheckpointEntry): Promise<NamedWeights>;
}

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/** Reads `manifest.json` and the vocabulary through `readFile` (relative names) and checks both. */
export async function openShipped(readFile: (name: string) => Promise<Uint8Array>): Promise<ShippedModels> {
  const manifest = parseManifest(JSON.parse(new TextDecoder().decode(await readFile(MANIFEST_FILE))) as unknown);
  const tokBytes = await readFile(manifest.tokenizer.file);
  await checkHash(tokBytes, manifest.tokenizer.sha256, manifest.tokenizer.file);
  const tokenizer = WordPieceTokenizer.fromJSON(JSON.parse(new TextDecoder().decode(tokBytes)));
  if (tokenizer.vocabSize !== manifest.tokenizer.vocabSize) {
    throw new CheckpointError(`${manifest.tokenizer.file}: ${tokenizer.vocabSize} ids, the manifest says ${manifest.tokenizer.vocabSize}`);
  }
  return {
    manifest,
    tokenizer,
    find: (role, size) => manifest.checkpoints.find((c) => c.role === role && sameSize(c.size, size)) ?? null,
    async weights(entry) {
      const bytes = await readFile(entry.file);
      await checkHash(bytes, entry.sha256, entry.file);
      return decodeWeights(bytes, entry.tensors);
    },
  };
}

function sameSize(a: EncoderSize, b: EncoderSize): boolean {
  return a.layers === b.layers && a.dModel === b.dModel && a.heads === b.heads && a.dFF === b.dFF;
}

export const describeSize = (s: EncoderSize): string => `${s.layers}×${s.dModel} (heads ${s.heads}, FF ${s.dFF})`;

/** fp16 bytes of `weights` (in the order given) and where each tensor sits. */
export function encodeWeights(weights: NamedWeights): { bytes: Uint8Array; tensors: TensorEntry[] } {
  const tensors: TensorEntry[] = [];
  let total = 0;
  for (const [name, w] of Object.entries(weights)) {
    tensors.push({ name, shape: [...w.shape], offset: total });
    total += w.data.length;
  }
  const half = new Uint16Array(total);
  for (const t of tensors) {
    const data = weights[t.name]!.data;
    for (let i = 0; i < data.length; i++) half[t.offset + i] = toHalf(data[i]!);
  }
  return { bytes: new Uint8Array(half.buffer), tensors };
}

export function decodeWeights(bytes: Uint8Array, tensors: readonly TensorEntry[]): NamedWeights {
  if (bytes.byteLength % 2 !== 0) throw new CheckpointError(`checkpoint: ${bytes.byteLength} bytes is not a whole number of fp16 values`);
  // Copy into an aligned buffer: a fetched or read Uint8Array may start at an odd offset.
  const half = new Uint16Array(bytes.slice().buffer, 0, bytes.byteLength / 2);
  const out: NamedWeights = {};
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (t.offset < 0 || t.offset + n > half.length) throw new CheckpointError(`checkpoint: tensor "${t.name}" runs past the end of the file`);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = fromHalf(half[t.offset + i]!);
    out[t.name] = { shape: [...t.shape], data };
  }
  return out;
}

/**
 * Assigns a shipped language model to `params` (the model's encoder and MLM bias) by name. The position
 * table may be longer than the model's window: its first rows are used. Throws, naming the weight, on
 * anything else that does not fit.
 */
export function loadLanguageModel(params: readonly Param[], weights: NamedWeights): void {
  for (const p of params) {
    const saved = weights[p.name];
    if (!saved) throw new CheckpointError(`checkpoint lacks "${p.name}"`);
    const want = p.variable.shape;
    const positionRows = p.name.endsWith('.pos') && saved.shape.length === 2 && saved.shape[1] === want[1] && saved.shape[0]! >= want[0]!;
    const same = saved.shape.length === want.length && saved.shape.every((s, i) => s === want[i]);
    if (!same && !positionRows) throw new CheckpointError(`checkpoint "${p.name}" has shape [${saved.shape}], the model needs [${want}]`);
    const data = same ? saved.data : saved.data.subarray(0, want.reduce((a, b) => a * b, 1));
    tf.tidy(() => p.variable.assign(tf.tensor(data, want, 'float32')));
  }
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes.slice().buffer);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function checkHash(bytes: Uint8Array, want: string, file: string): Promise<void> {
  const got = await sha256Hex(bytes);
  if (got !== want) throw new CheckpointError(`${file}: SHA-256 ${got.slice(0, 12)}… does not match the manifest's ${want.slice(0, 12)}…; the file is damaged or from another build (rebuild with \`npm run build:checkpoints\`)`);
}

function parseManifest(json: unknown): CheckpointManifest {
  const m = json as Partial<CheckpointManifest> | null;
  if (!m || m.format !== MANIFEST_FORMAT || !m.tokenizer || !Array.isArray(m.checkpoints)) {
    throw new CheckpointError(`${MANIFEST_FILE}: expected format ${MANIFEST_FORMAT} with a tokenizer and a checkpoint list`);
  }
  for (const c of m.checkpoints) {
    if (!c || (c.role !== 'student' && c.role !== 'teacher') || !c.size || typeof c.file !== 'string' || c.dtype !== 'float16' || !Array.isArray(c.tensors)) {
      throw new CheckpointError(`${MANIFEST_FILE}: a checkpoint entry lacks role, size, file, dtype float16 or tensors`);
    }
  }
  return m as CheckpointManifest;
}

// ---- IEEE 754 half precision, by hand (Float16Array is not in Node 20) ---------------------------

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Nearest fp16 (round half to even), saturating to ±Infinity past 65504; NaN stays NaN. */
export function toHalf(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal
    mant |= 0x800000;
    const shift = 14 - e;
    const half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && (half & 1)) ? 1 : 0));
  }
  const half = mant >>> 13;
  const rest = mant & 0x1fff;
  let out = (e << 10) | half;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1))) out++; // may carry into the exponent: still right
  e = out >>> 10;
  return sign | (e >= 0x1f ? 0x7c00 : out);
}

export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
