/**
 * The browser's model cache: trained weights in IndexedDB, so a reload (or a classmate's link on the
 * same machine) does not retrain the pretrained student, the poisoned student or the teacher. Weights
 * are stored as they are (`Float32Array`s clone into IndexedDB directly), sealed with a checksum by the
 * engine (see `CheckedCache`). Only the newest entries are kept, so the lab never fills the disk.
 */
import { unsealWeights, weightBytes, type CacheEntryInfo, type ModelCache, type SavedWeights } from '../src/engine/cache';

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

  /**
   * Errors reach the caller: the engine's `CheckedCache` turns a failed read into a retrain and a failed
   * write (quota exceeded, private mode) into a sentence for the user, so neither is swallowed here.
   */
  async get(key: string): Promise<SavedWeights | undefined> {
    const db = await this.open();
    const entry = await request<Entry | undefined>(db.transaction(STORE, 'readonly').objectStore(STORE).get(key));
    return entry?.weights;
  }

  /** One transaction: the entry and the pruning of old ones commit together or not at all (a reload mid-write leaves nothing). */
  async put(key: string, weights: SavedWeights): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    const entry: Entry = { key, weights, savedAt: Date.now() };
    store.put(entry);
    // Primary keys in `savedAt` order: the oldest come first.
    const keys = await request<IDBValidKey[]>(store.index('savedAt').getAllKeys());
    for (const k of keys.slice(0, Math.max(0, keys.length - MAX_ENTRIES))) store.delete(k);
    await committed(tx);
  }

  /** Every entry with its size, newest first. Reads the weights to measure them: a handful of MB. */
  async list(): Promise<CacheEntryInfo[]> {
    const db = await this.open();
    const entries = await request<Entry[]>(db.transaction(STORE, 'readonly').objectStore(STORE).getAll());
    return entries.map(describeEntry).sort((a, b) => b.savedAt - a.savedAt);
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

/** An entry for the cache panel; one that is not even shaped like an entry is listed as damaged, not thrown on. */
function describeEntry(e: Partial<Entry> & { key: string }): CacheEntryInfo {
  const savedAt = typeof e.savedAt === 'number' ? e.savedAt : 0;
  if (!e.weights || typeof e.weights !== 'object') return { key: e.key, bytes: 0, savedAt, damaged: 'it holds no weights' };
  const opened = unsealWeights(e.weights);
  return { key: e.key, bytes: weightBytes(e.weights), savedAt, ...(opened.ok ? {} : { damaged: opened.reason }) };
}

/** Resolves when `tx` commits; rejects with its error (QuotaExceededError surfaces here, at commit). */
function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new DOMException('the write was aborted', 'AbortError'));
    tx.onerror = () => reject(tx.error ?? new DOMException('the write failed', 'UnknownError'));
  });
}

function request<T>(req: IDBRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}
