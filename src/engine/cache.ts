/**
 * Where trained weights are kept between runs, keyed by the config that produced them: Node writes
 * files, the browser IndexedDB, tests memory. The engine only sees this interface.
 */
export type SavedWeights = Record<string, { shape: number[]; data: Float32Array }>;

export interface ModelCache {
  get(key: string): Promise<SavedWeights | undefined>;
  put(key: string, weights: SavedWeights): Promise<void>;
}

/** A cache that lives as long as the process: for tests and for sweeps within one session. */
export class MemoryCache implements ModelCache {
  private readonly entries = new Map<string, SavedWeights>();

  async get(key: string): Promise<SavedWeights | undefined> {
    return this.entries.get(key);
  }

  async put(key: string, weights: SavedWeights): Promise<void> {
    this.entries.set(key, weights);
  }

  get size(): number {
    return this.entries.size;
  }
}
