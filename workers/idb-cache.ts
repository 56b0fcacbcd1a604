/**
 * The browser's model cache: trained weights in IndexedDB, so a reload (or a classmate's link on the
 * same machine) does not retrain the pretrained student, the poisoned student or the teacher. Weights
 * are stored as they are (`Float32Array`s clone into IndexedDB directly). Only the newest entries are
 * kept, so the lab never fills the disk.
 */
import { weightBytes, type CacheEntryInfo, type ModelCache, type SavedWeights } from '../src/engine/cache';

const DB_NAME = 'w2s-backdoor-lab';
const STORE = 'models';
/** Entries kept; older ones are deleted on the next write. A few runs' worth of stages. */
const MAX_ENTRIES = 24;

interface Entry {
  key: string;
  weights: SavedWeights;
  savedAt: number;
}

export class IndexedDbCache implements ModelCache {
  private db: Promise<IDBDatabase> | undefined;

  constructor(private readonly factory: IDBFactory) {}

  /** A miss when anything goes wrong: a broken cache must never stop a run, only slow it. */
  async get(key: string): Promise<SavedWeights | undefined> {
    try {
      const db = await this.open();
      const entry = await request<Entry | undefined>(db.transaction(STORE, 'readonly').objectStore(STORE).get(key));
      return entry?.weights;
    } catch (error) {
      console.warn('model cache read failed; training instead', error);
      return undefined;
    }
  }

  async put(key: string, weights: SavedWeights): Promise<void> {
    try {
      const db = await this.open();
      const store = db.transaction(STORE, 'readwrite').objectStore(STORE);
      const entry: Entry = { key, weights, savedAt: Date.now() };
      await request(store.put(entry));
      // Primary keys in `savedAt` order: the oldest come first.
      const keys = await request<IDBValidKey[]>(store.index('savedAt').getAllKeys());
      await Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_ENTRIES)).map((k) => request(store.delete(k))));
    } catch (error) {
      // Quota exceeded or private mode: the run goes on, the next one retrains.
      console.warn('model cache write failed', error);
    }
  }

  /** Every entry with its size, newest first. Reads the weights to measure them: a handful of MB. */
  async list(): Promise<CacheEntryInfo[]> {
    const db = await this.open();
    const entries = await request<Entry[]>(db.transaction(STORE, 'readonly').objectStore(STORE).getAll());
    return entries.map((e) => ({ key: e.key, bytes: weightBytes(e.weights), savedAt: e.savedAt })).sort((a, b) => b.savedAt - a.savedAt);
  }

  async clear(): Promise<void> {
    const db = await this.open();
    await request(db.transaction(STORE, 'readwrite').objectStore(STORE).clear());
  }

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise((resolve, reject) => {
      const opening = this.factory.open(DB_NAME, 1);
      opening.onupgradeneeded = () => opening.result.createObjectStore(STORE, { keyPath: 'key' }).createIndex('savedAt', 'savedAt');
      opening.onsuccess = () => resolve(opening.result);
      opening.onerror = () => reject(opening.error ?? new Error('could not open IndexedDB'));
    });
    return this.db;
  }
}

function request<T>(req: IDBRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}
