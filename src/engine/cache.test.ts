/**
 * The cache's seal: every way a stored model can be damaged is caught on the way out, and a cache that
 * fails (full, unreadable) becomes a sentence and a miss, never an error that ends the run.
 */
import { describe, expect, it } from 'vitest';
import { CheckedCache, MemoryCache, sealWeights, unsealWeights, weightsChecksum, type ModelCache, type SavedWeights } from './cache';

const weights = (): SavedWeights => ({
  'enc.w': { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
  'head.b': { shape: [2], data: Float32Array.from([0.5, -0.25]) },
});

describe('sealWeights / unsealWeights', () => {
  it('gives back exactly what was sealed', () => {
    const opened = unsealWeights(sealWeights(weights()));
    expect(opened).toEqual({ ok: true, weights: weights() });
  });

  it('does not depend on the order of the entries', () => {
    const w = weights();
    const reversed: SavedWeights = { 'head.b': w['head.b']!, 'enc.w': w['enc.w']! };
    expect(weightsChecksum(reversed)).toBe(weightsChecksum(w));
  });

  const damage: [string, (w: SavedWeights) => void, RegExp][] = [
    ['one flipped bit', (w) => void (new Uint32Array(w['enc.w']!.data.buffer)[4]! ^= 1), /checksum does not match/],
    ['a value changed', (w) => void (w['head.b']!.data[0] = 0.75), /checksum does not match/],
    ['a truncated array', (w) => void (w['enc.w'] = { shape: [2, 3], data: w['enc.w']!.data.slice(0, 4) }), /"enc\.w" has 4 numbers for shape \[2, 3\]/],
    ['a missing entry', (w) => void delete w['head.b'], /checksum does not match/],
    ['an extra entry', (w) => void (w['extra'] = { shape: [1], data: Float32Array.from([1]) }), /checksum does not match/],
    ['a renamed entry', (w) => { w['enc.v'] = w['enc.w']!; delete w['enc.w']; }, /checksum does not match/],
    ['a reshaped entry', (w) => void (w['enc.w']!.shape = [3, 2]), /checksum does not match/],
    ['an entry that is not floats', (w) => void (w['enc.w'] = { shape: [6], data: [1, 2, 3, 4, 5, 6] as unknown as Float32Array }), /"enc\.w" is not an array of floats/],
    ['no checksum (an older lab)', (w) => void delete w['__checksum__'], /no checksum/],
  ];
  it.each(damage)('catches %s', (_what, spoil, reason) => {
    const sealed = sealWeights(weights());
    spoil(sealed);
    const opened = unsealWeights(sealed);
    expect(opened.ok).toBe(false);
    expect(!opened.ok && opened.reason).toMatch(reason);
  });
});

describe('CheckedCache', () => {
  const checked = (inner: ModelCache) => {
    const said: string[] = [];
    return { cache: new CheckedCache(inner, (m) => said.push(m)), said };
  };

  it('stores sealed entries and returns them whole, saying nothing', async () => {
    const inner = new MemoryCache();
    const { cache, said } = checked(inner);
    await cache.put('poison-1', weights());
    expect(Object.keys((await inner.get('poison-1'))!)).toContain('__checksum__');
    expect(await cache.get('poison-1')).toEqual(weights());
    expect(await cache.get('absent')).toBeUndefined();
    expect(said).toEqual([]);
  });

  it('treats a damaged entry as a miss and says which one', async () => {
    const inner = new MemoryCache();
    const { cache, said } = checked(inner);
    await cache.put('teacher-2', weights());
    (await inner.get('teacher-2'))!['head.b']!.data[1] = 9;
    expect(await cache.get('teacher-2')).toBeUndefined();
    expect(said).toEqual(['The cached model teacher-2 is damaged: its checksum does not match its contents. It is trained again and saved anew.']);
  });

  it('turns a full disk into a sentence, and an unreadable store into a miss', async () => {
    const broken: ModelCache = {
      get: () => Promise.reject(new DOMException('The database connection is closing.', 'InvalidStateError')),
      put: () => Promise.reject(new DOMException('Quota exceeded', 'QuotaExceededError')),
    };
    const { cache, said } = checked(broken);
    await expect(cache.put('pretrain-student-3', weights())).resolves.toBeUndefined();
    await expect(cache.get('pretrain-student-3')).resolves.toBeUndefined();
    expect(said[0]).toMatch(/^Could not save pretrain-student-3 to the model cache \(the browser's storage for this site is full\)\. This run goes on; a later run trains it again\. Clearing the model cache/);
    expect(said[1]).toBe('Could not read the model cache (InvalidStateError: The database connection is closing.); training instead.');
  });
});
