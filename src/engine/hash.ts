/** FNV-1a over a string, as 8 hex digits: cache keys and dataset fingerprints, not security. */
export function hashString(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * The version of the engine's numerics: bump it whenever a change makes the same config train to
 * different weights (an optimiser, a dropout generator, a summation order), so no cache, in
 * IndexedDB or on disk, replays a model the current engine would not train. 2: sparse embedding rows,
 * seeded device dropout, fixed-order embedding gradients. 3: each training stage draws its dropout masks
 * from its own stream (`reseedDropout`), not from where the model's previous stage left it.
 */
const NUMERICS_VERSION = 3;

/** A key that changes whenever any of the given values does (key order inside objects matters), or the numerics. */
export function cacheKey(kind: string, ...parts: unknown[]): string {
  return `${kind}-${hashString(JSON.stringify([NUMERICS_VERSION, ...parts]))}`;
}
