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
}

/** Bytes the weights' arrays take. */
export function weightBytes(weights: SavedWeights): number {
  return Object.values(weights).reduce((n, w) => n + w.data.byteLength, 0);
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
