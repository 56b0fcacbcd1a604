/**
 * Where trained weights are kept between runs, keyed by the config that produced them: Node writes
 * files, the browser IndexedDB, tests memory. The engine only sees this interface.
 */
export type SavedWeights = Record<string, { shape: number[]; data: Float32Array }>;

export interface ModelCache {
  get(key: string): Promise<SavedWeights | undefined>;
  put(key: string, weights: SavedWeights): Promise<void>;
  /** What the cache holds, newest first (caches a user can inspect: the browser's, memory). */
  list?(): Promise<CacheEntryInfo[]>;
  /** Deletes every entry. */
  clear?(): Promise<void>;
}

/** One cached model: its key (`<stage kind>-<hash>`), the bytes its weights take and when it was saved. */
export interface CacheEntryInfo {
  key: string;
  bytes: number;
  savedAt: number;
  /** Why the entry cannot be used (see `unsealWeights`); a run retrains it and saves it anew. */
  damaged?: string;
}

/** Bytes the weights' arrays take; an entry that is not an array of floats (a damaged store) counts 0. */
export function weightBytes(weights: SavedWeights): number {
  return Object.values(weights).reduce((n, w) => n + (w?.data instanceof Float32Array ? w.data.byteLength : 0), 0);
}

/** A cache that lives as long as the process: for tests and for sweeps within one session. */
export class MemoryCache implements ModelCache {
  private readonly entries = new Map<string, { weights: SavedWeights; savedAt: number }>();

  async get(key: string): Promise<SavedWeights | undefined> {
    return this.entries.get(key)?.weights;
  }

  async put(key: string, weights: SavedWeights): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, { weights, savedAt: Date.now() });
  }

  async list(): Promise<CacheEntryInfo[]> {
    return [...this.entries].reverse().map(([key, e]) => ({ key, bytes: weightBytes(e.weights), savedAt: e.savedAt }));
  }

  async clear(): Promise<void> {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The entry every stored model carries: a checksum over every other entry's name, shape and bits. */
const CHECKSUM_KEY = '__checksum__';

/**
 * FNV-1a over the entries in name order: each name, its shape, and its floats as raw 32-bit words, so a
 * flipped bit, a truncated array or a missing entry all change it. Not security: it catches damage
 * (a torn write, a hand-edited store, a disk error), not an adversary.
 */
export function weightsChecksum(weights: SavedWeights): string {
  let h = 0x811c9dc5;
  const mix = (x: number) => {
    h ^= x;
    h = Math.imul(h, 0x01000193);
  };
  for (const name of Object.keys(weights).filter((n) => n !== CHECKSUM_KEY).sort()) {
    const { shape, data } = weights[name]!;
    for (let i = 0; i < name.length; i++) mix(name.charCodeAt(i));
    for (const d of shape) mix(d);
    mix(data.length);
    const words = new Uint32Array(data.buffer, data.byteOffset, data.length);
    for (let i = 0; i < words.length; i++) mix(words[i]!);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** `weights` with their checksum added, as the cache stores them. */
export function sealWeights(weights: SavedWeights): SavedWeights {
  const sum = weightsChecksum(weights);
  return { ...weights, [CHECKSUM_KEY]: { shape: [sum.length], data: Float32Array.from(sum, (c) => c.charCodeAt(0)) } };
}

type Unsealed = { ok: true; weights: SavedWeights } | { ok: false; reason: string };

/** The weights of a stored entry if it is whole (shapes match their data, the checksum matches), else why not. */
export function unsealWeights(stored: SavedWeights): Unsealed {
  const { [CHECKSUM_KEY]: seal, ...weights } = stored;
  if (!seal) return { ok: false, reason: 'it has no checksum (an earlier version of the lab saved it)' };
  for (const [name, w] of Object.entries(weights)) {
    if (!w || !Array.isArray(w.shape) || !(w.data instanceof Float32Array)) return { ok: false, reason: `its entry "${name}" is not an array of floats` };
    const size = w.shape.reduce((a, b) => a * b, 1);
    if (size !== w.data.length) return { ok: false, reason: `its entry "${name}" has ${w.data.length} numbers for shape [${w.shape.join(', ')}]` };
  }
  const expected = String.fromCharCode(...Array.from(seal.data));
  if (weightsChecksum(weights) !== expected) return { ok: false, reason: 'its checksum does not match its contents' };
  return { ok: true, weights };
}

/**
 * A cache that never fails a run: every stored model is sealed with a checksum and checked on the way
 * out, and whatever goes wrong (a full disk, a damaged entry, a store that cannot open) becomes a
 * sentence for `report` and a miss, so the stage trains again instead of loading something broken.
 */
export class CheckedCache implements ModelCache {
  constructor(
    private readonly inner: ModelCache,
    private readonly report: (message: string) => void,
  ) {}

  async get(key: string): Promise<SavedWeights | undefined> {
    let stored: SavedWeights | undefined;
    try {
      stored = await this.inner.get(key);
    } catch (error) {
      this.report(`Could not read the model cache (${describeCacheError(error)}); training instead.`);
      return undefined;
    }
    if (!stored) return undefined;
    const opened = unsealWeights(stored);
    if (opened.ok) return opened.weights;
    this.report(`The cached model ${key} is damaged: ${opened.reason}. It is trained again and saved anew.`);
    return undefined;
  }

  async put(key: string, weights: SavedWeights): Promise<void> {
    try {
      await this.inner.put(key, sealWeights(weights));
    } catch (error) {
      this.report(
        `Could not save ${key} to the model cache (${describeCacheError(error)}). This run goes on; a later run trains it again. ` +
          'Clearing the model cache (Explore → Cache) frees the space.',
      );
    }
  }
}

/** A storage error in words: the browser's names for a full disk become a sentence. */
function describeCacheError(error: unknown): string {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'QuotaExceededError') return "the browser's storage for this site is full";
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
